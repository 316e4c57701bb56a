"""One's own password (every staff role) and the session and lockout limits (the ouvidor)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from balcao._access import Access
from balcao._db.models import UserRow
from balcao._desk import Desk
from balcao._services import staff_admin
from balcao._services.staff_digest import available, set_digest
from balcao._services.staff_limits import LIMITS, current_limits, save_limits
from balcao._services.users import UserError
from balcao._staff._common import page, text_of
from balcao._staff._duties import DUTY_FREE
from balcao._staff._sessions import COOKIE, current_session
from balcao._types import Actor
from balcao._web.auth import current_actor

__all__ = ["SECURITY_ROUTES"]

_OWN = {"access": Access.ACCOUNT, DUTY_FREE: True}
_LIMITS = {"access": Access.USERS}


@get("/staff/conta/senha", opt=_OWN, include_in_schema=False)
async def password_form(request: Request[Any, Any, Any]) -> Template:
    duties = request.scope.get("balcao_duties") or {}
    return page(request, "password.html", duties=duties)


@post("/staff/conta/senha", opt=_OWN, include_in_schema=False)
async def change_password(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    data: URLEncodedBody[dict[str, Any]],
) -> Template | Redirect:
    """Current password required; every other session of the account ends."""
    new = str(data.get("new", ""))
    if new != str(data.get("repeat", "")):
        return page(request, "password.html", 422, error="A nova senha e a repetição não conferem.")
    found = await current_session(desk, request.cookies.get(COOKIE, ""))
    try:
        async with desk.database.write() as session:
            await staff_admin.change_own_password(
                session,
                desk.now(),
                current_actor(request),
                current=str(data.get("current", "")),
                new=new,
                keep_session=found[0].id if found else 0,
            )
    except UserError as exc:
        return page(request, "password.html", 422, error=f"Senha não trocada: {exc}.")
    return Redirect("/staff/conta?senha=trocada", status_code=303)


async def _limits_page(
    desk: Desk, request: Request[Any, Any, Any], status: int = 200, **extra: Any
) -> Template:
    async with desk.database.read() as session:
        limits = await current_limits(session)
    return page(request, "security.html", status, limits=limits, fields=LIMITS, **extra)


@get("/staff/seguranca", opt=_LIMITS, include_in_schema=False)
async def limits_form(desk: NamedDependency[Desk], request: Request[Any, Any, Any]) -> Template:
    return await _limits_page(desk, request)


@post("/staff/seguranca", opt=_LIMITS, include_in_schema=False)
async def save(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    data: URLEncodedBody[dict[str, Any]],
) -> Template | Redirect:
    raw = {f.key: text_of(data, f.key) for f in LIMITS if text_of(data, f.key)}
    try:
        async with desk.database.write() as session:
            await save_limits(session, desk.now(), current_actor(request), raw)
    except UserError as exc:
        return await _limits_page(desk, request, 422, error=f"Nada foi alterado: {exc}.")
    return Redirect("/staff/seguranca?ok=1", status_code=303)


async def digest_choice(desk: Desk, actor: Actor) -> dict[str, bool]:
    """For the account page: whether the digest can be sent at all, and if it is wanted."""
    async with desk.database.read() as session:
        user = await session.get(UserRow, actor.user_id or 0)
    return {"digest_available": available(desk), "digest_on": bool(user and user.digest_opt_in)}


@post("/staff/conta/resumo", opt={"access": Access.ACCOUNT}, include_in_schema=False)
async def choose_digest(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    data: URLEncodedBody[dict[str, Any]],
) -> Redirect:
    wanted = text_of(data, "digest") == "sim" and available(desk)
    await set_digest(desk, current_actor(request), wanted)
    return Redirect("/staff/conta?ok=1", status_code=303)


SECURITY_ROUTES = [password_form, change_password, limits_form, save, choose_digest]
