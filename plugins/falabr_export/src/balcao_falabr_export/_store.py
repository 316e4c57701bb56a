"""Reading and moving handover records (``falabr_registrations``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import msgspec
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from balcao import PluginDesk
from balcao_falabr_export._models import RegistrationRow, storage
from balcao_falabr_export._nup import format_nup

__all__ = [
    "STATE_LABELS",
    "Busy",
    "Claim",
    "RegistrationView",
    "due_for_poll",
    "due_for_retry",
    "load",
    "view",
]

STATE_LABELS = {
    "sending": "Enviando ao Fala.BR",
    "retry": "Nova tentativa agendada",
    "failed": "Falhou: tente de novo",
    "rejected": "Recusada pelo Fala.BR",
    "prepared": "Aguardando registro manual pela equipe",
    "citizen": "Aguardando registro pelo cidadão",
    "registered": "Registrada no Fala.BR",
}


class Busy(Exception):
    """Another attempt for the same manifestation is under way."""


class Claim(msgspec.Struct, frozen=True, kw_only=True):
    """An attempt recorded before sending; ``look_first`` when an earlier one may have landed."""

    protocol: str
    attempt: int
    look_first: bool
    first_attempt_at: dt.datetime


class RegistrationView(msgspec.Struct, frozen=True, kw_only=True):
    """What staff see about a manifestation's handover to Fala.BR."""

    protocol: str
    mode: str
    state: str
    state_label: str
    nup: str | None
    falabr_id: int | None
    situation: str | None
    deadline: dt.date | None
    attempts: int
    last_error: str | None
    next_attempt_at: dt.datetime | None
    polled_at: dt.datetime | None
    updated_at: dt.datetime
    access_code: str | None = None


def view(row: RegistrationRow, access_code: str | None = None) -> RegistrationView:
    return RegistrationView(
        protocol=row.protocol,
        mode=row.mode,
        state=row.state,
        state_label=STATE_LABELS.get(row.state, row.state),
        nup=format_nup(row.nup) if row.nup else None,
        falabr_id=row.falabr_id,
        situation=row.situation,
        deadline=row.deadline,
        attempts=row.attempts,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at,
        polled_at=row.polled_at,
        updated_at=row.updated_at,
        access_code=access_code,
    )


async def load(
    session: AsyncSession, protocol: str, *, for_update: bool = False
) -> RegistrationRow | None:
    query = select(RegistrationRow).where(RegistrationRow.protocol == protocol)
    if for_update:  # a row lock on PostgreSQL; SQLite's write transaction is exclusive
        query = query.with_for_update()
    return (await session.scalars(query)).one_or_none()


def new_row(protocol: str, mode: str, state: str, actor: str, now: dt.datetime) -> RegistrationRow:
    return RegistrationRow(
        protocol=protocol,
        mode=mode,
        state=state,
        attempts=0,
        poll_failures=0,
        requested_by=actor,
        created_at=now,
        updated_at=now,
    )


async def upsert(desk: PluginDesk, protocol: str, mode: str, state: str, actor: str) -> None:
    """Record a staff or citizen handover (never over a finished registration)."""
    try:
        async with storage(desk).write() as session:
            row = await load(session, protocol, for_update=True)
            if row is None:
                session.add(new_row(protocol, mode, state, actor, desk.now()))
            elif row.state != "registered":
                row.mode, row.state, row.updated_at = mode, state, desk.now()
                row.requested_by = actor
    except IntegrityError as exc:
        raise Busy(protocol) from exc


async def fetch(desk: PluginDesk, protocol: str) -> RegistrationRow | None:
    async with storage(desk).read() as session:
        return await load(session, protocol)


async def due_for_retry(desk: PluginDesk, limit: int = 20) -> Sequence[str]:
    now = desk.now()
    query = (
        select(RegistrationRow.protocol)
        .where(
            or_(
                (RegistrationRow.state == "retry") & (RegistrationRow.next_attempt_at <= now),
                (RegistrationRow.state == "sending") & (RegistrationRow.lease_until < now),
            )
        )
        .order_by(RegistrationRow.next_attempt_at)
        .limit(limit)
    )
    async with storage(desk).read() as session:
        return list((await session.scalars(query)).all())


async def due_for_poll(desk: PluginDesk, limit: int = 50) -> Sequence[tuple[str, str]]:
    now = desk.now()
    query = (
        select(RegistrationRow.protocol, RegistrationRow.nup)
        .where(
            RegistrationRow.state == "registered",
            RegistrationRow.nup.is_not(None),
            RegistrationRow.next_poll_at <= now,
        )
        .order_by(RegistrationRow.next_poll_at)
        .limit(limit)
    )
    async with storage(desk).read() as session:
        return [(p, n) for p, n in (await session.execute(query)).all() if n]
