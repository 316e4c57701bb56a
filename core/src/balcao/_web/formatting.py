"""Dates and times as people in the balcão's time zone read them (pt-BR)."""

from __future__ import annotations

import datetime as dt

from balcao._domain.calendar import BusinessCalendar
from balcao._domain.dates_pt import format_date_pt

__all__ = ["date_text", "datetime_text"]


def date_text(day: dt.date) -> str:
    return format_date_pt(day, weekday=False)


def datetime_text(calendar: BusinessCalendar, at: dt.datetime, weekday: bool = False) -> str:
    local = calendar.local(at)
    return f"{format_date_pt(local.date(), weekday)} às {local:%Hh%M}"
