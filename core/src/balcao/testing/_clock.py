"""A clock that stands still until the test moves it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

__all__ = ["FakeClock"]

CUIABA = ZoneInfo("America/Cuiaba")


class FakeClock:
    """``now()`` returns what the test set; start: Tuesday 2026-12-01 10:00 in Cuiabá."""

    def __init__(self, at: dt.datetime | None = None) -> None:
        self._now = (at or dt.datetime(2026, 12, 1, 10, 0, tzinfo=CUIABA)).astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        """The clock's current moment (moved only by the test)."""
        return self._now

    def set(self, at: dt.datetime) -> None:
        """Jump to ``at`` (a naive value is read as Cuiabá local time)."""
        self._now = (at if at.tzinfo else at.replace(tzinfo=CUIABA)).astimezone(dt.UTC)

    def advance(self, **delta: float) -> None:
        """Move forward by ``timedelta(**delta)``."""
        self._now += dt.timedelta(**delta)
