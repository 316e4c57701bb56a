"""The dead letter: rows the engine gave up on, listed, put back for another try, or purged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import EventDelivery, InboundEvent, OutboxRow
from balcao._delivery.claims import DEAD, PENDING
from balcao._delivery.wake import announce

__all__ = ["QUEUES", "DeadLetter", "dead_letters", "purge", "replay"]

# queue name -> (table, what the row is for)
QUEUES: dict[str, tuple[Any, str]] = {
    "outbox": (OutboxRow, "channel"),
    "inbound": (InboundEvent, "channel"),
    "events": (EventDelivery, "handler"),
}


@dataclass(frozen=True)
class DeadLetter:
    queue: str
    id: int
    target: str
    state: str
    attempts: int
    error: str | None
    created_at: dt.datetime


def _failed(model: Any) -> Any:
    """Dead rows, and (inbound only) events still waiting after a failure."""
    if model is InboundEvent:
        return or_(model.state == DEAD, (model.state == PENDING) & model.last_error.isnot(None))
    return model.state == DEAD


async def dead_letters(session: AsyncSession, queues: Sequence[str]) -> list[DeadLetter]:
    found: list[DeadLetter] = []
    for name in queues:
        model, target = QUEUES[name]
        rows = await session.scalars(select(model).where(_failed(model)).order_by(model.id))
        found += [_letter(name, row, getattr(row, target)) for row in rows]
    return found


def _letter(queue: str, row: Any, target: str) -> DeadLetter:
    created = getattr(row, "created_at", None) or row.received_at
    return DeadLetter(queue, row.id, target, row.state, row.attempts, row.last_error, created)


async def _failed_rows(session: AsyncSession, queue: str, ids: Sequence[int]) -> list[Any]:
    model, _ = QUEUES[queue]
    query = select(model).where(model.id.in_(ids), _failed(model))
    return list((await session.scalars(query)).all())


def _missing(ids: Sequence[int], rows: Sequence[Any]) -> list[int]:
    return sorted(set(ids) - {row.id for row in rows})


async def purge(session: AsyncSession, queue: str, ids: Sequence[int]) -> list[int]:
    """Delete these dead (or failed) rows for good; the ids that are not in the dead letter."""
    rows = await _failed_rows(session, queue, ids)
    for row in rows:
        await session.delete(row)
    return _missing(ids, rows)


async def replay(
    session: AsyncSession, queue: str, ids: Sequence[int], now: dt.datetime
) -> list[int]:
    """Put these dead (or failed) rows back as new; the ids that are not in the dead letter."""
    rows = await _failed_rows(session, queue, ids)
    for row in rows:
        row.state, row.attempts, row.next_attempt_at = PENDING, 0, now
        row.owner, row.lease_until = None, None
    if rows:
        await announce(session, queue)
    return _missing(ids, rows)
