"""One row of facts per manifestation, read in one statement: what every public figure is
computed from. No text, no identity, no protocol."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import DeadlineRow, ManifestationRow, TransitionRow, UnitRow
from balcao._db.public_service import SurveyRow
from balcao._domain.calendar import BusinessCalendar
from balcao._domain.deadlines import Purpose
from balcao._domain.lifecycle import State

__all__ = ["CaseFact", "Snapshot", "case_facts", "snapshot", "unit_names"]

_OPEN = [s.value for s in State if s.is_open]


class CaseFact(msgspec.Struct, frozen=True, kw_only=True):
    """A manifestation as the public figures see it; dates in the balcão's time zone."""

    kind: str
    channel: str
    unit: str | None
    state: str
    created_on: dt.date
    answered_on: dt.date | None
    due_on: dt.date | None
    attended: str | None
    rating: int | None


class Snapshot(msgspec.Struct, frozen=True, kw_only=True):
    """Right now: manifestations open, and open with a deadline past due."""

    open: int
    overdue: int


def _query(start: dt.datetime, end: dt.datetime, surveyed: bool) -> Select[tuple[object, ...]]:
    m = ManifestationRow
    due = (
        select(func.max(DeadlineRow.due_on))
        .where(DeadlineRow.manifestation_id == m.id, DeadlineRow.purpose == Purpose.RESPONSE.value)
        .scalar_subquery()
    )
    answered = (
        select(func.min(TransitionRow.at))
        .where(TransitionRow.manifestation_id == m.id, TransitionRow.target == State.ANSWERED.value)
        .scalar_subquery()
    )
    return (
        select(m.kind, m.channel, m.unit_code, m.state, m.created_at, answered, due)
        .add_columns(SurveyRow.attended, SurveyRow.rating)
        .join(SurveyRow, SurveyRow.manifestation_id == m.id, isouter=not surveyed)
        .where(m.created_at >= start, m.created_at < end)
    )


async def case_facts(
    session: AsyncSession,
    calendar: BusinessCalendar,
    first: dt.date,
    after: dt.date,
    *,
    surveyed: bool = False,
) -> list[CaseFact]:
    """Manifestations registered from ``first`` to the day before ``after`` (local dates);
    only those with a survey answer when ``surveyed``."""
    start, end = (_utc(calendar, day) for day in (first, after))
    rows: list[Any] = list((await session.execute(_query(start, end, surveyed))).all())
    local = calendar.local
    return [
        CaseFact(
            kind=kind,
            channel=channel,
            unit=unit,
            state=state,
            created_on=local(_aware(created)).date(),
            answered_on=local(_aware(answered)).date() if answered else None,
            due_on=due,
            attended=attended,
            rating=rating,
        )
        for kind, channel, unit, state, created, answered, due, attended, rating in rows
    ]


def _utc(calendar: BusinessCalendar, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=calendar.timezone).astimezone(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    # a scalar subquery's value comes back without the column type: naive UTC on SQLite
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def snapshot(session: AsyncSession, today: dt.date) -> Snapshot:
    """Open now, and open now with an unmet deadline past due, in one statement."""
    m = ManifestationRow
    query = select(func.count(), func.count().filter(m.past_due(today))).where(m.state.in_(_OPEN))
    opened, overdue = (await session.execute(query)).one()
    return Snapshot(open=int(opened), overdue=int(overdue))


async def unit_names(session: AsyncSession) -> dict[str, str]:
    return {
        code: name for code, name in (await session.execute(select(UnitRow.code, UnitRow.name)))
    }
