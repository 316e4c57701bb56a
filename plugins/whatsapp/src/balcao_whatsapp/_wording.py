"""The business calendar in the words of a pt-BR message: hours, the return day, why the
balcão is closed today."""

from __future__ import annotations

import datetime as dt

from balcao import BusinessCalendar, format_date_pt

__all__ = ["closed_reason", "day_text", "hours_text", "when_text"]


def clock_text(at: dt.time) -> str:
    """7h30, 13h, 17h30."""
    return f"{at.hour}h{at.minute:02d}" if at.minute else f"{at.hour}h"


def hours_text(calendar: BusinessCalendar) -> str:
    """ "de segunda a sexta, das 7h30 às 11h30 e das 13h30 às 17h30"."""
    days = sorted(calendar.weekdays)
    first, last = (_a_day(days[0]), _a_day(days[-1]))
    name = calendar.weekday_name
    span = f"de {name(first, True)} a {name(last, True)}" if len(days) > 1 else name(first)
    periods = " e ".join(
        f"das {clock_text(p.start)} às {clock_text(p.end)}" for p in calendar.periods
    )
    return f"{span}, {periods}"


def day_text(day: dt.date) -> str:
    """ "segunda-feira, 04/01/2027"."""
    return format_date_pt(day)


def when_text(calendar: BusinessCalendar, at: dt.datetime) -> str:
    """ "segunda-feira, 04/01/2027, às 7h30"."""
    local = calendar.local(at)
    return f"{day_text(local.date())}, às {clock_text(local.time())}"


def closed_reason(calendar: BusinessCalendar, at: dt.datetime) -> tuple[str, str, dt.date] | None:
    """("recess", reason, last day) or ("holiday", name, day) when a whole day is closed
    for a reason; None on an ordinary night, lunch break or weekend."""
    day = calendar.local(at).date()
    for closure in calendar.closures:
        if closure.covers(day):
            return "recess", closure.reason, closure.end
    name = calendar.holiday_name(day)
    return ("holiday", name, day) if name else None


def _a_day(weekday: int) -> dt.date:
    """Some date that falls on ``weekday`` (0 is Monday)."""
    return dt.date(2024, 1, 1) + dt.timedelta(days=weekday)
