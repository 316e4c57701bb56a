"""Staff accounts in the browser (the ouvidor only): list, create, change role and unit,
deactivate and reactivate, reset a password, require the second factor. The same service
functions as the command line; a temporary password is shown once, in the answer to the
form, and never stored in clear."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._access import Access
from balcao._db.models import StaffLogin, UnitRow, UserRow
from balcao._desk import Desk
from balcao._errors import NotFound
from balcao._services import staff_admin
from balcao._services.users import ROLES, UserError
from balcao._staff._common import ROLE_LABELS, page, text_of
from balcao._types import Actor
from balcao._web.auth import current_actor

__all__ = ["USER_ROUTES"]

_USERS = {"access": Access.USERS}
_BASE = "/staff/usuarios"


async def _lookups(session: AsyncSession) -> dict[str, Any]:
    units = list(await session.scalars(select(UnitRow).order_by(UnitRow.code)))
    enrolled = set(
        await session.scalars(select(StaffLogin.user_id).where(StaffLogin.totp_sealed.is_not(None)))
    )
    return {"units": units, "enrolled": enrolled, "roles": ROLES, "role_labels": ROLE_LABELS}


async def _listing(
    desk: Desk, request: Request[Any, Any, Any], status: int = 200, **extra: Any
) -> Template:
    async with desk.database.read() as session:
        users = await staff_admin.list_users(session)
        context = await _lookups(session)
    return page(request, "users.html", status, users=users, **context, **extra)


async def _detail(
    desk: Desk, request: Request[Any, Any, Any], user_id: int, status: int = 200, **extra: Any
) -> Template:
    async with desk.database.read() as session:
        user = await session.get(UserRow, user_id)
        if user is None:
            raise NotFound(f"usuário nº {user_id} não encontrado")
        context = await _lookups(session)
    return page(request, "user.html", status, user=user, **context, **extra)


def _once(template: Template) -> Template:
    """A page with a temporary password: never kept by the browser or a proxy."""
    template.headers["cache-control"] = "no-store"
    return template


@get(_BASE, opt=_USERS, include_in_schema=False)
async def users(desk: NamedDependency[Desk], request: Request[Any, Any, Any]) -> Template:
    return await _listing(desk, request)


@post(_BASE, opt=_USERS, include_in_schema=False)
async def create(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    data: URLEncodedBody[dict[str, Any]],
) -> Template:
    fields = {k: text_of(data, k) for k in ("email", "name", "role", "unit")}
    try:
        async with desk.database.write() as session:
            user, password = await staff_admin.create_staff(
                session,
                desk.now(),
                current_actor(request),
                email=fields["email"],
                name=fields["name"],
                role=fields["role"],
                unit=fields["unit"] or None,
            )
            email = user.email
    except UserError as exc:
        return await _listing(desk, request, 422, error=str(exc), form=fields)
    return _once(await _listing(desk, request, created=email, password=password))


@get(f"{_BASE}/{{user_id:int}}", opt=_USERS, include_in_schema=False)
async def user_page(
    desk: NamedDependency[Desk], request: Request[Any, Any, Any], user_id: FromPath[int]
) -> Template:
    return await _detail(desk, request, user_id)


Change = Callable[[AsyncSession, Actor], Awaitable[Any]]


async def _apply(
    desk: Desk, request: Request[Any, Any, Any], user_id: int, change: Change, done: str
) -> Template | Redirect:
    """Run ``change`` in one transaction; a refusal shows the page with the reason."""
    try:
        async with desk.database.write() as session:
            await change(session, current_actor(request))
    except UserError as exc:
        return await _detail(desk, request, user_id, 422, error=str(exc))
    return Redirect(f"{_BASE}/{user_id}?ok={done}", status_code=303)


@post(f"{_BASE}/{{user_id:int}}", opt=_USERS, include_in_schema=False)
async def update(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    user_id: FromPath[int],
    data: URLEncodedBody[dict[str, Any]],
) -> Template | Redirect:
    async def change(session: AsyncSession, actor: Actor) -> Any:
        return await staff_admin.update_user(
            session,
            desk.now(),
            actor,
            user_id,
            name=text_of(data, "name"),
            role=text_of(data, "role"),
            unit=text_of(data, "unit") or None,
        )

    done = await _apply(desk, request, user_id, change, "alterado")
    if isinstance(done, Redirect) and user_id == current_actor(request).user_id:
        return Redirect("/staff", status_code=303)  # one's own new role may not see this page
    return done


@post(f"{_BASE}/{{user_id:int}}/ativo", opt=_USERS, include_in_schema=False)
async def activate(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    user_id: FromPath[int],
    data: URLEncodedBody[dict[str, Any]],
) -> Template | Redirect:
    active = text_of(data, "active") == "sim"

    async def change(session: AsyncSession, actor: Actor) -> Any:
        return await staff_admin.set_active(session, desk.now(), actor, user_id, active)

    return await _apply(desk, request, user_id, change, "reativado" if active else "desativado")


@post(f"{_BASE}/{{user_id:int}}/2fa", opt=_USERS, include_in_schema=False)
async def second_factor(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    user_id: FromPath[int],
    data: URLEncodedBody[dict[str, Any]],
) -> Template | Redirect:
    required = text_of(data, "required") == "sim"

    async def change(session: AsyncSession, actor: Actor) -> Any:
        return await staff_admin.require_second_factor(
            session, desk.now(), actor, user_id, required
        )

    return await _apply(desk, request, user_id, change, "2fa")


@post(f"{_BASE}/{{user_id:int}}/senha", opt=_USERS, include_in_schema=False)
async def reset(
    desk: NamedDependency[Desk], request: Request[Any, Any, Any], user_id: FromPath[int]
) -> Template:
    try:
        async with desk.database.write() as session:
            user, password = await staff_admin.reset_password(
                session, desk.now(), current_actor(request), user_id
            )
            email = user.email
    except UserError as exc:
        return await _detail(desk, request, user_id, 422, error=str(exc))
    return _once(await _detail(desk, request, user_id, reset_for=email, password=password))


USER_ROUTES = [users, create, user_page, update, activate, second_factor, reset]
