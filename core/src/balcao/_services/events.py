"""Durable lifecycle events: one ``event_deliveries`` row per event and plugin handler,
written in the transaction of the change the event describes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import EventDelivery
from balcao._db.types import table_of
from balcao._delivery.wake import announce
from balcao._events import EventBase

__all__ = ["record"]

# a Core statement on the session's connection: every registration writes these rows, and
# the ORM's bulk-insert path around the same statement cost more than running it
_INSERT = insert(table_of(EventDelivery))


async def record(
    session: AsyncSession, handlers: Sequence[str], events: Sequence[EventBase]
) -> None:
    """Each event gets its ``event_id`` (the idempotency key its handlers see on every
    attempt); nothing is written when no plugin listens."""
    if not handlers or not events:
        return
    rows: list[dict[str, Any]] = []
    for event in events:
        keyed = msgspec.structs.replace(event, event_id=uuid.uuid4().hex)
        payload = msgspec.json.encode(keyed).decode()
        rows += [_row(keyed, payload, handler) for handler in handlers]
    await (await session.connection()).execute(_INSERT, rows)
    await announce(session, "events")


def _row(event: EventBase, payload: str, handler: str) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "handler": handler,
        "ordering_key": f"{handler}:{event.protocol}",
        "event_type": type(event).__name__,
        "protocol": event.protocol,
        "payload": payload,
        "created_at": event.occurred_at,
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": event.occurred_at,
    }
