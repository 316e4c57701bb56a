"""The transactional outbox: rows written with the change that caused them, claimed by
workers with a lease, retried with exponential backoff, dead-lettered after N attempts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import OutboxRow

__all__ = ["backoff", "claim", "enqueue", "lease_filter"]

PENDING, IN_FLIGHT, DELIVERED, DEAD = "pending", "in_flight", "delivered", "dead"


def enqueue(
    session: AsyncSession,
    *,
    channel: str,
    idempotency_key: str,
    now: dt.datetime,
    payload: dict[str, Any],
    message_id: int | None = None,
) -> OutboxRow:
    row = OutboxRow(
        channel=channel,
        idempotency_key=idempotency_key,
        payload=payload,
        message_id=message_id,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    return row


def lease_filter(model: Any, now: dt.datetime) -> Any:
    """Rows due now, or claimed by a worker whose lease ran out (it died)."""
    return or_(
        (model.state == PENDING) & (model.next_attempt_at <= now),
        (model.state == IN_FLIGHT) & (model.lease_until < now),
    )


async def claim(
    session: AsyncSession, now: dt.datetime, lease: dt.timedelta, limit: int
) -> list[OutboxRow]:
    """Claim due deliveries. On PostgreSQL ``SKIP LOCKED`` lets workers share the work; on
    SQLite the write transaction is already exclusive."""
    query = (
        select(OutboxRow).where(lease_filter(OutboxRow, now)).order_by(OutboxRow.id).limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list((await session.scalars(query)).all())
    for row in rows:
        row.state, row.lease_until = IN_FLIGHT, now + lease
        row.attempts += 1
    return rows


def backoff(base_seconds: float, attempts: int, cap_seconds: float = 6 * 3600) -> dt.timedelta:
    return dt.timedelta(seconds=min(base_seconds * 2 ** max(attempts - 1, 0), cap_seconds))
