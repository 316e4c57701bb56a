"""The second factor has an attempt limit like the password's: counted in the database,
the account locked for a while, the lockout in the audit log."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct

from balcao.testing import Balcao, RecordingChannel

from .conftest import PASSWORD, csrf_token

EMAIL = "dora@ufmt.br"


def _code(secret: str, at: float) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**6:06d}"


def _wrong(secret: str, at: float) -> str:
    near = {_code(secret, at + drift) for drift in (-30, 0, 30)}
    return next(c for c in (f"{n:06d}" for n in range(10**6)) if c not in near)


async def _password(balcao: Balcao) -> str:
    token = await csrf_token(balcao)
    answer = await balcao.client.post(
        "/staff/entrar",
        data={"email": EMAIL, "password": PASSWORD, "_csrf_token": token, "next": "/staff"},
    )
    return answer.text


async def _enrol(balcao: Balcao) -> str:
    await balcao.user("ouvidor", email=EMAIL, password=PASSWORD)
    await _password(balcao)
    account = await balcao.client.get("/staff/conta")
    secret = re.search(r'name="secret" value="([A-Z2-7]+)"', account.text).group(1)  # type: ignore[union-attr]
    token = await csrf_token(balcao, "/staff/conta")
    code = _code(secret, balcao.clock.now().timestamp())
    enabled = await balcao.client.post(
        "/staff/conta/2fa", data={"secret": secret, "code": code, "_csrf_token": token}
    )
    assert "está ativa" in enabled.text
    await balcao.client.post("/staff/sair", data={"_csrf_token": token})
    balcao.clock.advance(minutes=1)  # the enrolment code is used up
    return secret


async def _second_factor(balcao: Balcao, code: str) -> int:
    token = await csrf_token(balcao, "/staff/entrar/codigo")
    answer = await balcao.client.post(
        "/staff/entrar/codigo",
        data={"code": code, "_csrf_token": token, "next": "/staff"},
        follow_redirects=False,
    )
    return answer.status_code


async def _inbox_open(balcao: Balcao) -> bool:
    return (await balcao.client.get("/staff", follow_redirects=False)).status_code == 200


async def test_200_wrong_codes_lock_the_account_and_the_right_code_is_refused(
    make_balcao: object,
) -> None:
    balcao: Balcao = await make_balcao(plugins=[("fake", RecordingChannel())])  # type: ignore[operator]
    secret = await _enrol(balcao)
    assert "Código de verificação" in await _password(balcao)
    now = balcao.clock.now().timestamp()
    answers = [await _second_factor(balcao, _wrong(secret, now)) for _ in range(200)]
    assert set(answers) == {401}
    assert await _second_factor(balcao, _code(secret, now)) == 401
    assert not await _inbox_open(balcao)
    assert "bloqueada temporariamente" in await _password(balcao)  # the password too
    _, auth = await balcao.user("auditor")
    log = await balcao.client.get("/api/v1/audit", params={"action": "login_locked"}, headers=auth)
    assert [(e["actor"], e["detail"]) for e in log.json()] == [
        (f"user:{EMAIL}", {"factor": "totp"})
    ]


async def test_the_lock_ends_and_a_right_code_resets_the_count(make_balcao: object) -> None:
    balcao: Balcao = await make_balcao(plugins=[("fake", RecordingChannel())])  # type: ignore[operator]
    secret = await _enrol(balcao)
    await _password(balcao)
    now = balcao.clock.now().timestamp()
    for _ in range(4):
        assert await _second_factor(balcao, _wrong(secret, now)) == 401
    assert await _second_factor(balcao, _code(secret, now)) == 303
    assert await _inbox_open(balcao)
    await balcao.client.post("/staff/sair", data={"_csrf_token": await csrf_token(balcao)})
    balcao.clock.advance(minutes=1)
    await _password(balcao)
    now = balcao.clock.now().timestamp()
    for _ in range(4):  # the earlier four were forgiven by the right code
        assert await _second_factor(balcao, _wrong(secret, now)) == 401
    assert await _second_factor(balcao, _wrong(secret, now)) == 401  # fifth: locked
    balcao.clock.advance(minutes=16)
    await _password(balcao)
    later = balcao.clock.now().timestamp()
    assert await _second_factor(balcao, _code(secret, later)) == 303
    assert await _inbox_open(balcao)


async def test_a_correct_password_does_not_wipe_the_count_of_wrong_codes(
    make_balcao: object,
) -> None:
    balcao: Balcao = await make_balcao(plugins=[("fake", RecordingChannel())])  # type: ignore[operator]
    secret = await _enrol(balcao)
    now = balcao.clock.now().timestamp()
    for _ in range(4):
        await _password(balcao)
        await _second_factor(balcao, _wrong(secret, now))
        await _second_factor(balcao, _wrong(secret, now))
    await _password(balcao)
    assert await _second_factor(balcao, _code(secret, now)) == 401
    assert not await _inbox_open(balcao)
