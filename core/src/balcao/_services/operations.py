"""Figures operators watch: backlogs, dead letters, failing deliveries, deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import DeadlineRow, InboundEvent, ManifestationRow, OutboxRow
from balcao._delivery.claims import DEAD, PENDING
from balcao._domain.calendar import BusinessCalendar

__all__ = [
    "Backlog",
    "dead_letters",
    "deadline_counts",
    "failing_deliveries",
    "inbound_backlog",
    "outbox_backlog",
    "soon_limit",
]


@dataclass(frozen=True)
class Backlog:
    count: int
    oldest: dt.datetime | None


async def outbox_backlog(session: AsyncSession) -> Backlog:
    waiting = OutboxRow.state.in_((PENDING, "running"))
    query = select(func.count(), func.min(OutboxRow.created_at)).where(waiting)
    count, oldest = (await session.execute(query)).one()
    return Backlog(count, oldest)


async def inbound_backlog(session: AsyncSession) -> Backlog:
    query = select(func.count(), func.min(InboundEvent.received_at)).where(
        InboundEvent.state.in_((PENDING, "running"))
    )
    count, oldest = (await session.execute(query)).one()
    return Backlog(count, oldest)


async def _by_channel(session: AsyncSession, condition: ColumnElement[bool]) -> dict[str, int]:
    query = select(OutboxRow.channel, func.count()).where(condition).group_by(OutboxRow.channel)
    return {channel: count for channel, count in (await session.execute(query)).all()}


async def dead_letters(session: AsyncSession) -> dict[str, int]:
    return await _by_channel(session, OutboxRow.state == DEAD)


async def failing_deliveries(session: AsyncSession) -> dict[str, int]:
    """Messages not delivered whose last attempt failed, by channel (dead letters included)."""
    return await _by_channel(
        session, (OutboxRow.state != "done") & OutboxRow.last_error.is_not(None)
    )


def soon_limit(calendar: BusinessCalendar, today: dt.date, business_days: int) -> dt.date:
    """The last day of the next ``business_days`` business days after ``today``."""
    day = today
    for _ in range(business_days):
        day = calendar.next_business_day(day + dt.timedelta(days=1))
    return day


async def deadline_counts(session: AsyncSession, today: dt.date, soon: dt.date) -> tuple[int, int]:
    """Manifestations with an open deadline that passed, and with one due by ``soon``."""
    overdue = select(func.count()).where(ManifestationRow.past_due(today))
    cases = func.count(distinct(DeadlineRow.manifestation_id))
    open_ = DeadlineRow.met_at.is_(None)
    due_soon = select(cases).where(open_, DeadlineRow.due_on >= today, DeadlineRow.due_on <= soon)
    return (await session.scalar(overdue)) or 0, (await session.scalar(due_soon)) or 0
