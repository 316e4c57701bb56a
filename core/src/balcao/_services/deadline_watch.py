"""The deadline watcher and the inbound purge: the core's periodic jobs.

The watcher works in bounded chunks, each its own write transaction: at tens of thousands of
overdue deadlines the SQLite write lock is never held for long, memory stays flat, and a pass
cut short (a restart, a crash) resumes where it stopped, since each chunk's flags and events
commit together."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import Row, Select, or_, select, update

from balcao._db.dialect import unindexed
from balcao._db.models import DeadlineRow, InboundEvent, ManifestationRow
from balcao._domain.deadlines import Purpose
from balcao._domain.lifecycle import State
from balcao._events import DeadlineNear, DeadlineOverdue, EventBase
from balcao._services import events as domain_events
from balcao._types import Actor

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from balcao._desk import Desk

__all__ = ["CHUNK", "purge_inbound", "warn_chunk", "watch_deadlines"]

log = logging.getLogger("balcao.deadlines")
CHUNK = 500
_Due = Row[int, str, dt.date, str]  # id, purpose, due_on, protocol


async def watch_deadlines(desk: Desk, chunk: int = CHUNK) -> None:
    """Raise deadline-near and overdue events once each; archive a manifestation whose
    complementação did not come in time (Decreto 9.492 art. 18 § 2º)."""
    today = desk.today()
    after: int | None = 0
    while after is not None:
        after, to_archive = await warn_chunk(desk, today, after, chunk)
        await _archive(desk, to_archive)


async def warn_chunk(
    desk: Desk, today: dt.date, after: int, chunk: int = CHUNK
) -> tuple[int | None, list[str]]:
    """One write transaction over at most ``chunk`` due deadlines with an id above ``after``:
    the next ``after`` (None when none were left) and the protocols to archive."""
    horizon = today + dt.timedelta(days=desk.settings.deadline_warning_days)
    async with desk.database.write() as session:
        rows = (await session.execute(_due(today, horizon, after, chunk, session))).all()
        if not rows:
            return None, []
        overdue = [r for r in rows if r.due_on < today]
        near = [r for r in rows if r.due_on >= today]
        now = desk.now()
        changed = await _flag(session, overdue, overdue=True)
        events = _events(DeadlineOverdue, now, overdue, changed)
        changed = await _flag(session, near, overdue=False)
        events += _events(DeadlineNear, now, near, changed)
        await domain_events.record(session, desk.host.implementers("balcao_on_event"), events)
    archive = [e.protocol for e in events if _runs_out(e)]
    return (rows[-1].id if len(rows) == chunk else None), archive


def _due(
    today: dt.date, horizon: dt.date, after: int, chunk: int, session: AsyncSession
) -> Select[int, str, dt.date, str]:
    # along the primary key from ``after``: SQLite would otherwise pick a due-date index and
    # read every open deadline in range again for each chunk
    met_at, due_on = unindexed(DeadlineRow.met_at, session), unindexed(DeadlineRow.due_on, session)
    return (
        select(DeadlineRow.id, DeadlineRow.purpose, DeadlineRow.due_on, ManifestationRow.protocol)
        .join(ManifestationRow)
        .where(
            met_at.is_(None),
            DeadlineRow.paused_on.is_(None),
            due_on <= horizon,
            DeadlineRow.warned_overdue.is_(False),
            or_(due_on < today, DeadlineRow.warned_near.is_(False)),
            DeadlineRow.id > after,
        )
        .order_by(DeadlineRow.id)
        .limit(chunk)
    )


async def _flag(session: AsyncSession, rows: Sequence[_Due], *, overdue: bool) -> set[int]:
    """Set the flags that say the warning was given; the ids this transaction changed (a
    second worker racing on the same rows changes none of them, so raises no event)."""
    if not rows:
        return set()
    ids = [r.id for r in rows]
    flag = DeadlineRow.warned_overdue if overdue else DeadlineRow.warned_near
    values = {"warned_overdue": True, "warned_near": True} if overdue else {"warned_near": True}
    changed = await session.execute(
        update(DeadlineRow)
        .where(DeadlineRow.id.in_(ids), flag.is_(False))
        .values(**values)
        .returning(DeadlineRow.id)
    )
    return set(changed.scalars())


def _events(
    kind: type[DeadlineOverdue | DeadlineNear],
    now: dt.datetime,
    rows: Sequence[_Due],
    changed: set[int],
) -> list[EventBase]:
    return [
        kind(protocol=r.protocol, occurred_at=now, purpose=r.purpose, due_on=r.due_on)
        for r in rows
        if r.id in changed
    ]


def _runs_out(event: EventBase) -> bool:
    return isinstance(event, DeadlineOverdue) and event.purpose == Purpose.COMPLEMENTATION


async def _archive(desk: Desk, protocols: Sequence[str]) -> None:
    for protocol in protocols:
        try:
            await desk.transition(
                protocol,
                State.ARCHIVED,
                Actor.system("prazos"),
                "complementação não recebida no prazo",
            )
        except Exception:
            log.exception("could not archive %s after its complementação deadline", protocol)


async def purge_inbound(desk: Desk) -> None:
    """Empty the bodies of inbound events processed longer ago than the retention: the row
    stays (its external id still deduplicates a late redelivery), the payload goes."""
    hours = dt.timedelta(hours=desk.settings.inbound_retention_hours)
    async with desk.database.write() as session:
        await session.execute(
            update(InboundEvent)
            .where(InboundEvent.processed_at < desk.now() - hours, InboundEvent.body != b"")
            .values(body=b"")
        )
