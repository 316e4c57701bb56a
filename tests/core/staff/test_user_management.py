"""Staff accounts managed in the browser by the ouvidor, one's own password change, and the
session and lockout limits: each change audited, the last ouvidor never locked out."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
from sqlalchemy import select

from balcao._db.models import AuditEntry, UserRow
from balcao.testing import Balcao

from .conftest import PASSWORD, create_user, csrf, login, post_form


async def _audit(balcao: Balcao, action: str) -> list[AuditEntry]:
    async with balcao.desk.database.read() as session:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list(await session.scalars(query))


async def _user(balcao: Balcao, email: str) -> UserRow:
    async with balcao.desk.database.read() as session:
        found = (await session.scalars(select(UserRow).where(UserRow.email == email))).one()
    return found


def _temporary(page: str) -> str:
    found = re.search(r'<code class="chave">([^<]+)</code>', page)
    assert found, page
    return found.group(1)


@contextlib.asynccontextmanager
async def _browser(balcao: Balcao) -> AsyncIterator[httpx.AsyncClient]:
    """A second browser (its own cookies) on the same app."""
    transport = httpx.ASGITransport(app=balcao.app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver.local", follow_redirects=True
    ) as client:
        yield client


def _token(page: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


async def _login_with(client: httpx.AsyncClient, email: str, password: str) -> Any:
    page = await client.get("/staff/entrar")
    return await client.post(
        "/staff/entrar",
        data={
            "email": email,
            "password": password,
            "_csrf_token": _token(page.text),
            "next": "/staff",
        },
    )


async def _as_ouvidor(balcao: Balcao) -> None:
    await create_user(balcao, "ouvidora@ufmt.br", "ouvidor")
    assert (await login(balcao, "ouvidora@ufmt.br")).status_code == 200


async def test_the_ouvidor_creates_a_user_who_must_choose_a_password(staff: Balcao) -> None:
    await _as_ouvidor(staff)
    await post_form(staff, "/staff/unidades", {"code": "PRAE", "name": "Pró-reitoria"})
    created = await post_form(
        staff,
        "/staff/usuarios",
        {"name": "Bia Souza", "email": "bia@ufmt.br", "role": "unidade", "unit": "PRAE"},
    )
    assert created.status_code == 200, created.text
    assert created.headers["cache-control"] == "no-store"
    temporary = _temporary(created.text)
    listing = await staff.client.get("/staff/usuarios")
    assert "bia@ufmt.br" in listing.text and temporary not in listing.text
    [entry] = await _audit(staff, "user_created")
    assert (entry.actor, entry.detail["target"]) == ("user:ouvidora@ufmt.br", "bia@ufmt.br")
    audit_page = await staff.client.get("/staff/auditoria")
    assert "Usuário criado" in audit_page.text

    async with _browser(staff) as bia:
        first = await _login_with(bia, "bia@ufmt.br", temporary)
        assert str(first.url).endswith("/staff/conta/senha")
        assert "Escolha uma senha sua" in first.text
        changed = await bia.post(
            "/staff/conta/senha",
            data={
                "current": temporary,
                "new": "nova-senha-da-bia",
                "repeat": "nova-senha-da-bia",
                "_csrf_token": _token(first.text),
            },
        )
        assert str(changed.url).endswith("/staff/conta?senha=trocada")
        assert (await bia.get("/staff")).url.path == "/staff"


async def test_a_bad_account_is_refused_with_the_reason(staff: Balcao) -> None:
    await _as_ouvidor(staff)
    cases = [
        ({"name": "X", "email": "nao-e-email", "role": "atendente"}, "e-mail inválido"),
        ({"name": "X", "email": "x@ufmt.br", "role": "chefe"}, "papel desconhecido"),
        ({"name": "X", "email": "x@ufmt.br", "role": "unidade"}, "exige a unidade"),
        (
            {"name": "X", "email": "x@ufmt.br", "role": "unidade", "unit": "NADA"},
            "não está no diretório",
        ),
        ({"name": "X", "email": "ouvidora@ufmt.br", "role": "atendente"}, "já existe"),
    ]
    for form, reason in cases:
        response = await post_form(staff, "/staff/usuarios", form)
        assert response.status_code == 422, form
        assert reason in response.text, (form, response.text)
    assert await _audit(staff, "user_created") == []


async def test_role_unit_deactivation_and_reset_are_audited(staff: Balcao) -> None:
    await _as_ouvidor(staff)
    await create_user(staff, "caio@ufmt.br", "atendente")
    caio = await _user(staff, "caio@ufmt.br")
    base = f"/staff/usuarios/{caio.id}"
    changed = await post_form(staff, base, {"name": "Caio", "role": "auditor", "unit": ""})
    assert changed.status_code == 200 and "Alteração salva" in changed.text
    [entry] = await _audit(staff, "user_changed")
    assert entry.detail["target"] == "caio@ufmt.br"
    assert entry.detail["role"] == "atendente → auditor"

    async with _browser(staff) as other:
        assert (await _login_with(other, "caio@ufmt.br", PASSWORD)).status_code == 200
        reset = await post_form(staff, f"{base}/senha", {})
        temporary = _temporary(reset.text)
        # the reset ended Caio's session: the next page asks for a login
        assert (await other.get("/staff")).url.path == "/staff/entrar"
        assert (await _login_with(other, "caio@ufmt.br", PASSWORD)).status_code == 401
        after = await _login_with(other, "caio@ufmt.br", temporary)
        assert str(after.url).endswith("/staff/conta/senha")

    off = await post_form(staff, f"{base}/ativo", {"active": "nao"})
    assert off.status_code == 200
    assert not (await _user(staff, "caio@ufmt.br")).active
    async with _browser(staff) as other:
        assert (await _login_with(other, "caio@ufmt.br", temporary)).status_code == 401
    await post_form(staff, f"{base}/ativo", {"active": "sim"})
    actions = [
        e.action
        for e in await _audit(staff, "user_deactivated") + await _audit(staff, "user_reactivated")
    ]
    assert actions == ["user_deactivated", "user_reactivated"]
    assert len(await _audit(staff, "user_password_reset")) == 1


async def test_the_last_ouvidor_cannot_lock_everyone_out(staff: Balcao) -> None:
    await _as_ouvidor(staff)
    me = await _user(staff, "ouvidora@ufmt.br")
    base = f"/staff/usuarios/{me.id}"
    self_off = await post_form(staff, f"{base}/ativo", {"active": "nao"})
    assert self_off.status_code == 422
    assert "sua própria conta" in self_off.text
    demote = await post_form(staff, base, {"name": "Ouvidora", "role": "atendente", "unit": ""})
    assert demote.status_code == 422
    assert "único ouvidor ativo" in demote.text
    assert (await _user(staff, "ouvidora@ufmt.br")).role == "ouvidor"
    # with a second ouvidor, stepping down is allowed
    await create_user(staff, "dora@ufmt.br", "ouvidor")
    again = await post_form(staff, base, {"name": "Ouvidora", "role": "atendente", "unit": ""})
    assert again.url.path == "/staff"
    assert (await _user(staff, "ouvidora@ufmt.br")).role == "atendente"


async def test_only_the_ouvidor_manages_users(staff: Balcao) -> None:
    await create_user(staff, "ana@ufmt.br", "atendente")
    await login(staff, "ana@ufmt.br")
    assert (await staff.client.get("/staff/usuarios")).status_code == 403
    refused = await post_form(
        staff, "/staff/usuarios", {"name": "X", "email": "x@ufmt.br", "role": "ouvidor"}
    )
    assert refused.status_code == 403
    assert "/staff/usuarios" not in (await staff.client.get("/staff")).text


async def test_required_second_factor_is_asked_before_anything_else(staff: Balcao) -> None:
    await _as_ouvidor(staff)
    await create_user(staff, "caio@ufmt.br", "atendente")
    caio = await _user(staff, "caio@ufmt.br")
    await post_form(staff, f"/staff/usuarios/{caio.id}/2fa", {"required": "sim"})
    [entry] = await _audit(staff, "user_second_factor")
    assert entry.detail == {"target": "caio@ufmt.br", "required": True}
    async with _browser(staff) as other:
        landed = await _login_with(other, "caio@ufmt.br", PASSWORD)
        assert str(landed.url).endswith("/staff/conta?exigido=2fa")
        assert "exige a verificação em duas etapas" in landed.text
        assert str((await other.get("/staff/relatorios")).url).endswith("exigido=2fa")


async def test_changing_ones_password_ends_the_other_sessions(staff: Balcao) -> None:
    await create_user(staff, "ana@ufmt.br", "atendente")
    await login(staff, "ana@ufmt.br")
    async with _browser(staff) as laptop:
        await _login_with(laptop, "ana@ufmt.br", PASSWORD)
        assert (await laptop.get("/staff")).url.path == "/staff"
        wrong = await post_form(
            staff,
            "/staff/conta/senha",
            {"current": "errada-errada", "new": "outra-senha-boa", "repeat": "outra-senha-boa"},
        )
        assert wrong.status_code == 422 and "a senha atual não confere" in wrong.text
        weak = await post_form(
            staff,
            "/staff/conta/senha",
            {"current": PASSWORD, "new": "aaaaaaaaaaaa", "repeat": "aaaaaaaaaaaa"},
        )
        assert weak.status_code == 422 and "5 caracteres diferentes" in weak.text
        done = await post_form(
            staff,
            "/staff/conta/senha",
            {"current": PASSWORD, "new": "outra-senha-boa", "repeat": "outra-senha-boa"},
        )
        assert done.status_code == 200 and "Senha trocada" in done.text
        assert (await staff.client.get("/staff")).url.path == "/staff"  # this session stays
        assert (await laptop.get("/staff")).url.path == "/staff/entrar"
    [entry] = await _audit(staff, "password_changed")
    assert entry.actor == "user:ana@ufmt.br"


async def test_lockout_and_session_limits_apply_from_the_database(staff: Balcao) -> None:
    await _as_ouvidor(staff)
    bad = await post_form(staff, "/staff/seguranca", {"lockout_failures": "1"})
    assert bad.status_code == 422 and "entre 3 e 20" in bad.text
    saved = await post_form(
        staff,
        "/staff/seguranca",
        {
            "session_hours": "10",
            "idle_minutes": "30",
            "lockout_failures": "3",
            "lockout_minutes": "60",
        },
    )
    assert saved.status_code == 200
    [entry] = await _audit(staff, "staff_limits_changed")
    assert entry.detail == {
        "idle_minutes": "0 → 30",
        "lockout_failures": "5 → 3",
        "lockout_minutes": "15 → 60",
    }
    await create_user(staff, "caio@ufmt.br", "atendente")
    async with _browser(staff) as other:
        for _ in range(3):
            await _login_with(other, "caio@ufmt.br", "senha-errada-mesmo")
        locked = await _login_with(other, "caio@ufmt.br", PASSWORD)
        # the lock lasts the hour set above, not the built-in 15 minutes
        assert re.search(r"Tente de novo em 6[01] minuto", locked.text), locked.text
    staff.clock.advance(minutes=31)  # the ouvidor's own session sat idle
    assert (await staff.client.get("/staff")).url.path == "/staff/entrar"


async def test_forms_need_the_csrf_token(staff: Balcao) -> None:
    await _as_ouvidor(staff)
    await csrf(staff, "/staff/usuarios")
    response = await staff.client.post(
        "/staff/usuarios", data={"name": "X", "email": "x@ufmt.br", "role": "atendente"}
    )
    assert response.status_code == 403
