"""Streaming read of manifestations for the reports, in constant memory.

The core offers no bulk iterator, so this reads the core's published tables (through
``balcao.Base.metadata``) read-only, with the columns the reports need and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import RowMapping, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao import Base, Kind, State

__all__ = ["Period", "ReportRow", "count", "stream"]

_BATCH = 1000


class Period(msgspec.Struct, frozen=True):
    """Registration dates, both inclusive, in the balcão's time zone."""

    start: dt.date
    end: dt.date
    zone: ZoneInfo

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        first = dt.datetime.combine(self.start, dt.time.min, tzinfo=self.zone)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=self.zone)
        return first.astimezone(dt.UTC), after.astimezone(dt.UTC)


class ReportRow(msgspec.Struct, frozen=True, kw_only=True):
    protocol: str
    kind: Kind
    state: State
    channel: str
    subject: str
    description: str
    anonymous: bool
    pseudonym: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    due_on: dt.date | None
    answered_at: dt.datetime | None
    attended: str | None = None
    rating: int | None = None


def _query(period: Period, *, with_text: bool) -> Select[tuple[object, ...]]:
    tables = Base.metadata.tables
    m, d, t, i = (tables[n] for n in ("manifestations", "deadlines", "transitions", "identities"))
    survey = tables["survey_answers"]
    due = (
        select(func.max(d.c.due_on))
        .where(d.c.manifestation_id == m.c.id, d.c.purpose == "response")
        .scalar_subquery()
    )
    answered = (
        select(func.min(t.c.at))
        .where(t.c.manifestation_id == m.c.id, t.c.target == State.ANSWERED.value)
        .scalar_subquery()
    )
    text_columns = (m.c.subject, m.c.description, i.c.pseudonym) if with_text else ()
    first, after = period.bounds()
    return (
        select(
            m.c.protocol,
            m.c.kind,
            m.c.state,
            m.c.channel,
            m.c.anonymous,
            m.c.created_at,
            m.c.closed_at,
            due.label("due_on"),
            answered.label("answered_at"),
            survey.c.attended,
            survey.c.rating,
            *text_columns,
        )
        .select_from(
            m.outerjoin(i, i.c.manifestation_id == m.c.id).outerjoin(
                survey, survey.c.manifestation_id == m.c.id
            )
        )
        .where(and_(m.c.created_at >= first, m.c.created_at < after))
        .order_by(m.c.created_at, m.c.id)
    )


async def count(session: AsyncSession, period: Period) -> int:
    m = Base.metadata.tables["manifestations"]
    first, after = period.bounds()
    query = select(func.count()).where(m.c.created_at >= first, m.c.created_at < after)
    return int(await session.scalar(query) or 0)


async def stream(
    session: AsyncSession, period: Period, *, with_text: bool = False
) -> AsyncIterator[ReportRow]:
    """Rows in registration order, fetched in batches; free text only when asked for."""
    query = _query(period, with_text=with_text).execution_options(yield_per=_BATCH)
    result = await session.stream(query)
    # Whole batches per await: one switch into the driver per 1,000 rows, not per row.
    async for batch in result.mappings().partitions(_BATCH):
        for r in batch:
            yield _row(r, with_text)


def _row(r: RowMapping, with_text: bool) -> ReportRow:
    return ReportRow(
        protocol=r["protocol"],
        kind=Kind(r["kind"]),
        state=State(r["state"]),
        channel=r["channel"],
        subject=(r["subject"] or "") if with_text else "",
        description=(r["description"] or "") if with_text else "",
        anonymous=bool(r["anonymous"]),
        pseudonym=(r["pseudonym"] or "Manifestante") if with_text else "Manifestante",
        created_at=r["created_at"],
        closed_at=r["closed_at"],
        due_on=r["due_on"],
        answered_at=r["answered_at"],
        attended=r["attended"],
        rating=r["rating"],
    )
