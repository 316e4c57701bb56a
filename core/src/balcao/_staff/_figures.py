"""The figures of the annual report (Lei 13.460/2017, art. 14 and 15) for one year."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import DeadlineRow, ManifestationRow, TransitionRow
from balcao._domain.calendar import BusinessCalendar

__all__ = ["Figures", "yearly_figures"]

MONTHS = ("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez")


@dataclass
class Figures:
    year: int
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_unit: dict[str, int] = field(default_factory=dict)
    by_state: dict[str, int] = field(default_factory=dict)
    by_month: dict[str, int] = field(default_factory=dict)
    answered: int = 0
    average_days: float | None = None
    median_days: float | None = None
    overdue: int = 0


async def _grouped(session: AsyncSession, column: Any, year: int) -> dict[str, int]:
    query = (
        select(column, func.count())
        .where(ManifestationRow.year == year)
        .group_by(column)
        .order_by(func.count().desc())
    )
    return {str(key or "(sem unidade)"): int(n) for key, n in (await session.execute(query)).all()}


def _month_bounds(calendar: BusinessCalendar, year: int) -> list[dt.datetime]:
    return [
        dt.datetime(year + (m == 12), m % 12 + 1, 1, tzinfo=calendar.timezone).astimezone(dt.UTC)
        for m in range(1, 13)
    ]


async def _months(session: AsyncSession, calendar: BusinessCalendar, year: int) -> dict[str, int]:
    bounds = _month_bounds(calendar, year)
    month = case(*[(ManifestationRow.created_at < b, i) for i, b in enumerate(bounds)], else_=11)
    query = select(month, func.count()).where(ManifestationRow.year == year).group_by(month)
    found = {int(i): int(n) for i, n in (await session.execute(query)).all()}
    return {name: found.get(i, 0) for i, name in enumerate(MONTHS)}


async def _answer_days(session: AsyncSession, year: int) -> list[float]:
    query = (
        select(ManifestationRow.created_at, func.min(TransitionRow.at))
        .join(TransitionRow, TransitionRow.manifestation_id == ManifestationRow.id)
        .where(ManifestationRow.year == year, TransitionRow.target == "answered")
        .group_by(ManifestationRow.id, ManifestationRow.created_at)
    )
    rows = (await session.execute(query)).all()
    return [_days(created, answered) for created, answered in rows]


def _days(created: dt.datetime, answered: dt.datetime) -> float:
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    if answered.tzinfo is None:
        answered = answered.replace(tzinfo=dt.UTC)
    return (answered - created).total_seconds() / 86400


async def _overdue(session: AsyncSession, year: int, today: dt.date) -> int:
    late = exists().where(
        DeadlineRow.manifestation_id == ManifestationRow.id,
        DeadlineRow.met_at.is_(None),
        DeadlineRow.due_on < today,
    )
    query = select(func.count()).where(ManifestationRow.year == year, late)
    return int(await session.scalar(query) or 0)


async def yearly_figures(
    session: AsyncSession, calendar: BusinessCalendar, year: int, today: dt.date
) -> Figures:
    """Counts by kind, channel, unit, state and month; time to answer; overdue."""
    figures = Figures(year=year)
    figures.by_kind = await _grouped(session, ManifestationRow.kind, year)
    figures.by_channel = await _grouped(session, ManifestationRow.channel, year)
    figures.by_unit = await _grouped(session, ManifestationRow.unit_code, year)
    figures.by_state = await _grouped(session, ManifestationRow.state, year)
    figures.by_month = await _months(session, calendar, year)
    figures.total = sum(figures.by_kind.values())
    days = await _answer_days(session, year)
    figures.answered = len(days)
    if days:
        figures.average_days = round(statistics.fmean(days), 1)
        figures.median_days = round(statistics.median(days), 1)
    figures.overdue = await _overdue(session, year, today)
    return figures
