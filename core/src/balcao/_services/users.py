"""Staff users and their API tokens."""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import ApiToken, UnitRow, UserRow
from balcao._domain.roles import ROLES
from balcao._domain.text import visible
from balcao._keys import KeyRing
from balcao._types import Actor

if TYPE_CHECKING:
    from argon2 import PasswordHasher

__all__ = [
    "ROLES",
    "UserError",
    "actor_for_token",
    "check_user",
    "create_token",
    "create_user",
    "hash_password",
    "password_problem",
    "verify_password",
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@functools.cache
def _hasher() -> PasswordHasher:
    """argon2 and its C bindings load on the first sign-in or new password, not at start."""
    from argon2 import PasswordHasher

    return PasswordHasher()


class UserError(ValueError):
    """A user or token that cannot be created, and why."""


def check_user(email: str, role: str, unit: str | None, password: str) -> None:
    """Raise :class:`UserError` for input that cannot make a user."""
    if not _EMAIL.match(email):
        raise UserError(f"e-mail inválido: {email!r}")
    if role not in ROLES:
        raise UserError(f"papel desconhecido {role!r}: use um de {', '.join(ROLES)}")
    if role == "unidade" and not unit:
        raise UserError("o papel 'unidade' exige --unit com o código da unidade")
    problem = password_problem(password, email)
    if problem:
        raise UserError(problem)


def password_problem(password: str, email: str = "") -> str | None:
    """Why ``password`` is too weak for a staff account, or None (the one strength rule)."""
    if len(password) < 10:
        return "a senha deve ter pelo menos 10 caracteres"
    if len(set(password)) < 5:
        return "a senha deve ter pelo menos 5 caracteres diferentes"
    local = email.split("@", 1)[0].casefold()
    if len(local) >= 4 and local in password.casefold():
        return "a senha não pode conter o seu e-mail"
    return None


def hash_password(password: str) -> str:
    return _hasher().hash(password)


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    role: str,
    unit: str | None,
    password: str,
    now: dt.datetime,
) -> UserRow:
    check_user(email, role, unit, password)
    if unit and await session.get(UnitRow, unit) is None:
        session.add(UnitRow(code=unit, name=unit))
    user = UserRow(
        email=email.lower(),
        name=visible(name),
        role=role,
        unit_code=unit,
        password_hash=hash_password(password),
        created_at=now,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise UserError(f"já existe um usuário com o e-mail {email}") from exc
    return user


async def create_token(
    session: AsyncSession, keys: KeyRing, *, email: str, label: str, now: dt.datetime
) -> str:
    user = (await session.scalars(select(UserRow).where(UserRow.email == email.lower()))).first()
    if user is None or not user.active:
        raise UserError(f"nenhum usuário ativo com o e-mail {email}")
    token = "blc_" + secrets.token_urlsafe(32)
    session.add(
        ApiToken(user_id=user.id, token_hash=keys.digest(token), label=label, created_at=now)
    )
    return token


async def actor_for_token(session: AsyncSession, keys: KeyRing, token: str) -> Actor | None:
    query = (
        select(UserRow)
        .join(ApiToken)
        .where(
            ApiToken.token_hash.in_(keys.digests(token)),
            ApiToken.revoked_at.is_(None),
            UserRow.active.is_(True),
        )
    )
    user = (await session.scalars(query)).first()
    if user is None:
        return None
    role: Any = user.role  # one of ROLES: create_user checks it
    return Actor(kind="user", name=user.email, user_id=user.id, role=role, unit_code=user.unit_code)


def verify_password(user: UserRow, password: str) -> bool:
    try:
        return _hasher().verify(user.password_hash, password)
    except Exception:
        return False
