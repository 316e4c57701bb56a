"""Session and lockout limits for staff logins: built-in defaults, overridden by the ouvidor
in the browser (stored in the database, so every instance applies the same values at the
next login or request; nothing is cached)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.management import StaffSettingRow
from balcao._services import audit
from balcao._services.staff_admin import AccountChange
from balcao._types import Actor

__all__ = ["DEFAULTS", "LIMITS", "Limit", "Limits", "current_limits", "save_limits"]


@dataclass(frozen=True)
class Limit:
    key: str
    label: str
    default: int
    low: int
    high: int
    help: str


LIMITS = (
    Limit(
        "session_hours",
        "Duração máxima da sessão (horas)",
        10,
        1,
        24,
        "depois disso é preciso entrar de novo, mesmo em uso",
    ),
    Limit(
        "idle_minutes",
        "Encerrar sessão parada há (minutos)",
        0,
        0,
        480,
        "0 desliga: a sessão só termina pela duração máxima",
    ),
    Limit(
        "lockout_failures",
        "Tentativas erradas até bloquear",
        5,
        3,
        20,
        "senhas ou códigos errados seguidos",
    ),
    Limit(
        "lockout_minutes",
        "Duração do bloqueio (minutos)",
        15,
        1,
        1440,
        "o ouvidor pode liberar antes redefinindo a senha",
    ),
)
_BY_KEY = {limit.key: limit for limit in LIMITS}


@dataclass(frozen=True)
class Limits:
    session_hours: int
    idle_minutes: int
    lockout_failures: int
    lockout_minutes: int


DEFAULTS = Limits(**{limit.key: limit.default for limit in LIMITS})


async def current_limits(session: AsyncSession) -> Limits:
    rows = await session.scalars(select(StaffSettingRow))
    values = {r.key: r.value for r in rows if r.key in _BY_KEY}
    return dataclasses.replace(DEFAULTS, **values)


def _parse(limit: Limit, raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise AccountChange(f"{limit.label}: informe um número inteiro") from None
    if not limit.low <= value <= limit.high:
        raise AccountChange(f"{limit.label}: use um valor entre {limit.low} e {limit.high}")
    return value


async def save_limits(
    session: AsyncSession, now: dt.datetime, actor: Actor, raw: dict[str, str]
) -> Limits:
    """Validate every field first (all or nothing), then store and audit the changes."""
    wanted = {key: _parse(_BY_KEY[key], value) for key, value in raw.items() if key in _BY_KEY}
    before = await current_limits(session)
    changed = {
        k: f"{getattr(before, k)} → {v}" for k, v in wanted.items() if getattr(before, k) != v
    }
    for key, value in wanted.items():
        row = await session.get(StaffSettingRow, key)
        if row is None:
            row = StaffSettingRow(key=key)
            session.add(row)
        row.value, row.updated_by, row.updated_at = value, actor.label, now
    if changed:
        audit.record(session, now, actor, "staff_limits_changed", **changed)
    return await current_limits(session)
