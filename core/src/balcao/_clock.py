"""Time as the core sees it; tests swap in a fake clock."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

__all__ = ["Clock", "SystemClock"]


class Clock(Protocol):
    """Tells the current time as an aware UTC datetime."""

    def now(self) -> dt.datetime:
        """The current moment, time-zone aware (UTC)."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> dt.datetime:
        """The machine's current moment, in UTC."""
        return dt.datetime.now(dt.UTC)
