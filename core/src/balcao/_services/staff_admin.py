"""Managing staff accounts (the ouvidor's user pages): create, change role and unit,
deactivate, reset a password, require the second factor, and one's own password change.
Every change is audited; no change may leave the balcão without an active ouvidor."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import ApiToken, StaffLogin, StaffSession, UnitRow, UserRow
from balcao._domain.text import visible
from balcao._services import audit
from balcao._services.users import (
    ROLES,
    UserError,
    create_user,
    hash_password,
    password_problem,
    verify_password,
)
from balcao._types import Actor

__all__ = [
    "AccountChange",
    "change_own_password",
    "create_staff",
    "end_sessions",
    "list_users",
    "require_second_factor",
    "reset_password",
    "set_active",
    "temporary_password",
    "update_user",
]

ADMIN_ROLE = "ouvidor"


class AccountChange(UserError):
    """A change refused, with the reason a person can act on (pt-BR)."""


def temporary_password() -> str:
    """A random password shown once; the account must choose its own at the next login."""
    while True:
        candidate = secrets.token_urlsafe(12)
        if password_problem(candidate) is None:
            return candidate


async def list_users(session: AsyncSession) -> list[UserRow]:
    query = select(UserRow).order_by(UserRow.active.desc(), UserRow.name, UserRow.email)
    return list(await session.scalars(query))


async def _user(session: AsyncSession, user_id: int) -> UserRow:
    user = await session.get(UserRow, user_id, with_for_update=True)
    if user is None:
        raise AccountChange(f"usuário nº {user_id} não encontrado")
    return user


async def _check_unit(session: AsyncSession, role: str, unit: str | None) -> None:
    if role not in ROLES:
        raise AccountChange(f"papel desconhecido {role!r}: use um de {', '.join(ROLES)}")
    if role == "unidade" and not unit:
        raise AccountChange("o papel 'unidade' exige a unidade do usuário")
    if unit and await session.get(UnitRow, unit) is None:
        raise AccountChange(f"unidade {unit!r} não está no diretório: cadastre-a em Unidades")


async def _other_admins(session: AsyncSession, user_id: int) -> int:
    # Locked rows: two ouvidores demoting each other at once cannot both succeed.
    query = (
        select(UserRow.id)
        .where(UserRow.role == ADMIN_ROLE, UserRow.active.is_(True), UserRow.id != user_id)
        .with_for_update()
    )
    return len(list(await session.scalars(query)))


async def _keep_an_admin(session: AsyncSession, user: UserRow, still_admin: bool) -> None:
    if user.role != ADMIN_ROLE or not user.active or still_admin:
        return
    if await _other_admins(session, user.id) == 0:
        raise AccountChange(
            f"{user.email} é o único ouvidor ativo: cadastre ou promova outro ouvidor antes"
        )


async def create_staff(
    session: AsyncSession,
    now: dt.datetime,
    actor: Actor,
    *,
    email: str,
    name: str,
    role: str,
    unit: str | None,
) -> tuple[UserRow, str]:
    """A new account with a temporary password (returned, shown once)."""
    await _check_unit(session, role, unit)
    if not visible(name):
        raise AccountChange("informe o nome do usuário")
    password = temporary_password()
    user = await create_user(
        session, email=email, name=name, role=role, unit=unit, password=password, now=now
    )
    user.must_change_password = True
    audit.record(session, now, actor, "user_created", target=user.email, role=role, unit=unit)
    return user, password


async def update_user(
    session: AsyncSession,
    now: dt.datetime,
    actor: Actor,
    user_id: int,
    *,
    name: str,
    role: str,
    unit: str | None,
) -> UserRow:
    user = await _user(session, user_id)
    await _check_unit(session, role, unit)
    await _keep_an_admin(session, user, role == ADMIN_ROLE)
    before: dict[str, Any] = {"role": user.role, "unit": user.unit_code, "name": user.name}
    user.name, user.role, user.unit_code = visible(name) or user.name, role, unit
    after: dict[str, Any] = {"role": user.role, "unit": user.unit_code, "name": user.name}
    changed = {k: f"{before[k] or '—'} → {after[k] or '—'}" for k in after if before[k] != after[k]}
    if changed:
        audit.record(session, now, actor, "user_changed", target=user.email, **changed)
    return user


async def end_sessions(
    session: AsyncSession, now: dt.datetime, user_id: int, keep: int = 0
) -> None:
    """End every browser session of the user but ``keep`` (a session id; 0 keeps none)."""
    await session.execute(
        update(StaffSession)
        .where(
            StaffSession.user_id == user_id,
            StaffSession.revoked_at.is_(None),
            StaffSession.id != keep,
        )
        .values(revoked_at=now)
    )


async def set_active(
    session: AsyncSession, now: dt.datetime, actor: Actor, user_id: int, active: bool
) -> UserRow:
    user = await _user(session, user_id)
    if user.id == actor.user_id and not active:
        raise AccountChange("você não pode desativar a sua própria conta")
    if user.active == active:
        return user
    await _keep_an_admin(session, user, active)
    user.active = active
    if not active:
        await end_sessions(session, now, user.id)
        await session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    action = "user_reactivated" if active else "user_deactivated"
    audit.record(session, now, actor, action, target=user.email)
    return user


async def reset_password(
    session: AsyncSession, now: dt.datetime, actor: Actor, user_id: int
) -> tuple[UserRow, str]:
    """A new temporary password (returned, shown once); the person's sessions end, a
    lockout is lifted, and the next login asks for a password of their own."""
    user = await _user(session, user_id)
    password = temporary_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    await end_sessions(session, now, user.id)
    await session.execute(
        update(StaffLogin)
        .where(StaffLogin.user_id == user.id)
        .values(failures=0, locked_until=None)
    )
    audit.record(session, now, actor, "user_password_reset", target=user.email)
    return user, password


async def require_second_factor(
    session: AsyncSession, now: dt.datetime, actor: Actor, user_id: int, required: bool
) -> UserRow:
    user = await _user(session, user_id)
    if user.second_factor_required != required:
        user.second_factor_required = required
        audit.record(
            session, now, actor, "user_second_factor", target=user.email, required=required
        )
    return user


async def change_own_password(
    session: AsyncSession,
    now: dt.datetime,
    actor: Actor,
    *,
    current: str,
    new: str,
    keep_session: int,
) -> None:
    """Check the current password and the strength rule; every other session ends."""
    user = await _user(session, actor.user_id or 0)
    if not verify_password(user, current):
        raise AccountChange("a senha atual não confere")
    problem = password_problem(new, user.email)
    if problem:
        raise AccountChange(problem)
    if verify_password(user, new):
        raise AccountChange("a nova senha deve ser diferente da atual")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    await end_sessions(session, now, user.id, keep=keep_session)
    audit.record(session, now, actor, "password_changed", target=user.email)
