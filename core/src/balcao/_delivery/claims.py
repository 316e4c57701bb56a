"""Claiming rows of a queue table: one owner token per claim, a lease the owner renews,
and every later write conditional on still owning the row."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from balcao._db.dialect import locks_rows
from balcao._db.models import Claimable

__all__ = ["DEAD", "PENDING", "Claim", "Table", "backoff", "claim", "owned", "renew"]

PENDING, DEAD = "pending", "dead"


@dataclass(frozen=True)
class Table:
    """A claimable table and the names its states go by."""

    model: type[Claimable]
    running: str = "running"
    done: str = "done"
    ordered: bool = False  # rows sharing ``ordering_key`` run one at a time, in id order

    @property
    def key(self) -> Any:
        return next(iter(self.model.__table__.primary_key.columns))  # type: ignore[attr-defined]

    def column(self, name: str) -> Any:
        return getattr(self.model, name)


@dataclass(frozen=True)
class Claim:
    """A row this worker owns until its lease runs out (or it gives the row back)."""

    table: Table
    key: Any
    owner: str
    attempts: int
    lane: str
    row: Any


def _due(table: Table, now: dt.datetime) -> Any:
    model = table.model
    waiting = and_(model.state == PENDING, model.next_attempt_at <= now)
    abandoned = and_(model.state == table.running, model.lease_until < now)  # its owner died
    condition = or_(waiting, abandoned)
    if table.ordered:
        condition = and_(condition, _head_of_its_order(table))
    return condition


def _head_of_its_order(table: Table) -> Any:
    """No earlier row with the same ordering key is still waiting or running."""
    model: Any = table.model
    earlier: Any = aliased(table.model)
    unfinished = earlier.state.in_([PENDING, table.running])
    blocking = exists().where(
        earlier.ordering_key == model.ordering_key, earlier.id < model.id, unfinished
    )
    return or_(model.ordering_key.is_(None), ~blocking)


async def claim(
    session: AsyncSession,
    table: Table,
    *,
    now: dt.datetime,
    lease: dt.timedelta,
    limit: int,
    lane_of: Callable[[Any], str],
    has_room: Callable[[str], bool],
) -> list[Claim]:
    """Claim up to ``limit`` due rows whose lane has room. On PostgreSQL ``SKIP LOCKED``
    lets workers share the work; on SQLite the write transaction is already exclusive."""
    query = select(table.model).where(_due(table, now)).order_by(table.key).limit(limit)
    if locks_rows(session):
        query = query.with_for_update(skip_locked=True, of=table.model)
    claims: list[Claim] = []
    for row in (await session.scalars(query)).all():
        lane = lane_of(row)
        if not has_room(lane):
            continue
        row.state, row.owner, row.lease_until = table.running, uuid.uuid4().hex, now + lease
        row.attempts += 1
        key = getattr(row, table.key.name)
        claims.append(Claim(table, key, row.owner, row.attempts, lane, row))
    return claims


async def renew(session: AsyncSession, claim: Claim, until: dt.datetime) -> bool:
    """Extend the lease; False when the row is no longer ours."""
    model = claim.table.model
    statement = (
        update(model)
        .where(claim.table.key == claim.key, model.owner == claim.owner)
        .values(lease_until=until)
    )
    result: Any = await session.execute(statement)
    return bool(result.rowcount)


async def owned(session: AsyncSession, claim: Claim) -> Any:
    """The row, locked, if this claim still owns it; None when another worker took it."""
    model = claim.table.model
    query = select(model).where(claim.table.key == claim.key, model.owner == claim.owner)
    if locks_rows(session):
        query = query.with_for_update()
    return (await session.scalars(query)).one_or_none()


def backoff(base_seconds: float, attempts: int, cap_seconds: float = 6 * 3600) -> dt.timedelta:
    """Exponential, capped, with jitter (half fixed, half random) so that rows failing
    together do not all come back in the same second."""
    delay = min(base_seconds * 2 ** max(attempts - 1, 0), cap_seconds)
    return dt.timedelta(seconds=delay / 2 + random.uniform(0, delay / 2))  # noqa: S311
