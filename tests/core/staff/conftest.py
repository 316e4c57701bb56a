"""Helpers for the staff web interface tests: staff users with passwords and logged-in
browser-like clients."""

from __future__ import annotations

import re
from typing import Any

import pytest

from balcao.testing import Balcao

PASSWORD = "uma-senha-longa-de-teste"


async def create_user(balcao: Balcao, email: str, role: str, unit: str | None = None) -> None:
    """A staff member who logs in with ``PASSWORD``."""
    await balcao.user(role, email=email, unit=unit, password=PASSWORD)


async def csrf(balcao: Balcao, path: str = "/staff/entrar") -> str:
    """Visit a page so the CSRF cookie is set; returns the token from the page's form."""
    response = await balcao.client.get(path)
    found = re.search(r'name="_csrf_token" value="([^"]+)"', response.text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


async def login(balcao: Balcao, email: str, password: str = PASSWORD) -> Any:
    token = await csrf(balcao)
    return await balcao.client.post(
        "/staff/entrar",
        data={"email": email, "password": password, "_csrf_token": token, "next": "/staff"},
    )


async def post_form(balcao: Balcao, path: str, data: dict[str, str]) -> Any:
    token = await csrf(balcao, "/staff/conta")
    return await balcao.client.post(path, data={**data, "_csrf_token": token})


@pytest.fixture
async def staff(make_balcao: Any) -> Balcao:
    from balcao.testing import RecordingChannel

    channel = RecordingChannel()
    return await make_balcao(plugins=[(channel.name, channel)])
