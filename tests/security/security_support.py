"""Helpers for the cross-cutting tests: staff login with password and TOTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
from typing import Any

from balcao.testing import Balcao

PASSWORD = "uma-senha-longa-de-teste"


async def csrf(balcao: Balcao, path: str) -> str:
    response = await balcao.client.get(path)
    found = re.search(r'name="_csrf_token" value="([^"]+)"', response.text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


async def login(balcao: Balcao, email: str) -> Any:
    token = await csrf(balcao, "/staff/entrar")
    return await balcao.client.post(
        "/staff/entrar",
        data={"email": email, "password": PASSWORD, "_csrf_token": token, "next": "/staff"},
    )


def totp(secret: str, at: float) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**6:06d}"
