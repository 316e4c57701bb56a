"""Deleting finished work: delivered outbox rows, processed inbound events and dispatched
events older than ``delivery_retention_days``, in short chunks (each its own transaction,
so that a big first prune never holds the SQLite write lock for long). Dead letters are
never pruned: they wait for ``balcao deliveries replay`` or ``purge``.

What de-duplication needs stays: an inbound event is kept for the whole retention, which
the settings hold to at least a week (Meta redelivers a webhook for up to 7 days), and a
message that joined a case keeps its channel's id in the timeline for good. A delivered
outbox row is kept while any event or inbound event older than it is unfinished (retrying
or dead): replaying that one may queue the same key again, and the row still says "sent"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, delete, func, select

from balcao._db.models import EventDelivery, InboundEvent, OutboxRow

if TYPE_CHECKING:
    from balcao._desk import Desk

__all__ = ["CHUNK", "prune", "retention", "run_job"]

CHUNK = 500  # rows per transaction
_JOB_CHUNKS = 20  # one run of the periodic job deletes at most this many chunks per queue


@dataclass(frozen=True)
class _Finished:
    queue: str
    model: Any
    done: str
    finished_at: Any


_QUEUES = (
    _Finished("outbox", OutboxRow, "delivered", OutboxRow.delivered_at),
    _Finished("inbound", InboundEvent, "done", InboundEvent.processed_at),
    _Finished("events", EventDelivery, "done", EventDelivery.created_at),
)


async def prune(
    desk: Desk, older_than: dt.timedelta, *, chunks: int | None = None
) -> dict[str, int]:
    """Delete what finished before ``now - older_than``; how many rows per queue.
    ``chunks`` bounds the work per queue (None: until nothing is left)."""
    cutoff = desk.now() - older_than
    deleted: dict[str, int] = {}
    for queue in _QUEUES:
        until = cutoff
        if queue.model is OutboxRow:
            until = min(cutoff, await _oldest_unfinished(desk) or cutoff)
        deleted[queue.queue] = await _delete(desk, queue, until, chunks)
    return deleted


async def _oldest_unfinished(desk: Desk) -> dt.datetime | None:
    """When the oldest event or inbound event that may still run (again) was written."""
    oldest: list[dt.datetime] = []
    async with desk.database.read() as session:
        for model, written in ((EventDelivery, "created_at"), (InboundEvent, "received_at")):
            column = getattr(model, written)
            found = await session.scalar(select(func.min(column)).where(model.state != "done"))
            oldest += [found] if found is not None else []
    return min(oldest, default=None)


async def _delete(desk: Desk, queue: _Finished, until: dt.datetime, chunks: int | None) -> int:
    total, rounds = 0, 0
    while chunks is None or rounds < chunks:
        async with desk.database.write() as session:
            ids = select(queue.model.id).where(_finished(queue, until)).limit(CHUNK)
            result: Any = await session.execute(
                delete(queue.model).where(queue.model.id.in_(ids.scalar_subquery()))
            )
        total, rounds = total + result.rowcount, rounds + 1
        if result.rowcount < CHUNK:
            break
    return total


def _finished(queue: _Finished, until: dt.datetime) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = (queue.model.state == queue.done) & (queue.finished_at < until)
    return condition


async def run_job(desk: Desk) -> None:
    """One pass of the periodic prune (the core registers it as ``core.delivery_prune``)."""
    await prune(desk, retention(desk), chunks=_JOB_CHUNKS)


def retention(desk: Desk) -> dt.timedelta:
    return dt.timedelta(days=desk.settings.delivery_retention_days)
