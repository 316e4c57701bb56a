"""The figures of the annual report (Lei 13.460/2017, art. 14 and 15) for one year."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import ManifestationRow, TransitionRow
from balcao._domain.calendar import BusinessCalendar
from balcao._domain.dates_pt import month_pt

__all__ = ["Figures", "yearly_figures"]

MONTHS = tuple(month_pt(m, short=True) for m in range(1, 13))


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


def _month_bounds(calendar: BusinessCalendar, year: int) -> list[dt.datetime]:
    return [
        dt.datetime(year + (m == 12), m % 12 + 1, 1, tzinfo=calendar.timezone).astimezone(dt.UTC)
        for m in range(1, 13)
    ]


async def _counts(session: AsyncSession, year: int, figures: Figures) -> None:
    """Counts by kind, channel, unit and state in one pass over the report index."""
    columns = (
        ManifestationRow.kind,
        ManifestationRow.channel,
        ManifestationRow.unit_code,
        ManifestationRow.state,
    )
    query = select(*columns, func.count()).where(ManifestationRow.year == year).group_by(*columns)
    tallies: list[dict[str, int]] = [{}, {}, {}, {}]
    for *keys, count in (await session.execute(query)).all():
        keys[2] = keys[2] or "(sem unidade)"
        for tally, key in zip(tallies, keys, strict=True):
            tally[str(key)] = tally.get(str(key), 0) + int(count)
    ordered = [dict(sorted(t.items(), key=lambda kv: -kv[1])) for t in tallies]
    figures.by_kind, figures.by_channel, figures.by_unit, figures.by_state = ordered


async def _months(session: AsyncSession, calendar: BusinessCalendar, year: int) -> dict[str, int]:
    """Per local month: twelve range counts on the creation-time index, one statement."""
    start = dt.datetime(year, 1, 1, tzinfo=calendar.timezone).astimezone(dt.UTC)
    bounds = [start, *_month_bounds(calendar, year)]
    parts = [
        select(literal(i).label("month"), func.count().label("n")).where(
            ManifestationRow.created_at >= bounds[i], ManifestationRow.created_at < bounds[i + 1]
        )
        for i in range(12)
    ]
    found = {int(m): int(n) for m, n in (await session.execute(union_all(*parts))).all()}
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


async def _overdue(session: AsyncSession, today: dt.date) -> int:
    """Manifestations with a deadline past due right now (whatever their year)."""
    query = select(func.count()).where(ManifestationRow.past_due(today))
    return int(await session.scalar(query) or 0)


async def yearly_figures(
    session: AsyncSession, calendar: BusinessCalendar, year: int, today: dt.date
) -> Figures:
    """Counts by kind, channel, unit, state and month; time to answer; overdue."""
    figures = Figures(year=year)
    await _counts(session, year, figures)
    figures.by_month = await _months(session, calendar, year)
    figures.total = sum(figures.by_kind.values())
    days = await _answer_days(session, year)
    figures.answered = len(days)
    if days:
        figures.average_days = round(statistics.fmean(days), 1)
        figures.median_days = round(statistics.median(days), 1)
    figures.overdue = await _overdue(session, today)
    return figures
