"""The period an export covers, and its rows from the core's read model."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import msgspec

from balcao import CaseRecord, ReadModel

__all__ = ["Period", "ReportRow", "count", "stream"]

ReportRow = CaseRecord


class Period(msgspec.Struct, frozen=True):
    """Registration dates, both inclusive, in the balcão's time zone."""

    start: dt.date
    end: dt.date
    zone: ZoneInfo

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        first = dt.datetime.combine(self.start, dt.time.min, tzinfo=self.zone)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=self.zone)
        return first.astimezone(dt.UTC), after.astimezone(dt.UTC)


async def count(model: ReadModel, period: Period) -> int:
    return await model.count(*period.bounds())


def stream(
    model: ReadModel, period: Period, *, with_text: bool = False
) -> AsyncIterator[ReportRow]:
    """Rows in registration order, fetched in batches; free text only when asked for."""
    return model.cases(*period.bounds(), with_text=with_text)
