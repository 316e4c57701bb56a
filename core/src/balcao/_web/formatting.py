"""Dates and times as people in the balcão's time zone read them (pt-BR)."""

from __future__ import annotations

import datetime as dt

from balcao._domain.calendar import BusinessCalendar
from balcao._domain.dates_pt import format_date_pt, month_pt

__all__ = ["date_text", "datetime_text", "long_date_text", "size_text"]


def date_text(day: dt.date) -> str:
    return format_date_pt(day, weekday=False)


def long_date_text(day: dt.date) -> str:
    """``15 de janeiro de 2027``; the first of a month is ``1º``, as pt-BR writes it."""
    number = "1º" if day.day == 1 else str(day.day)
    return f"{number} de {month_pt(day.month)} de {day.year}"


def size_text(size: int) -> str:
    """A file size as people read it: ``820 bytes``, ``12 KB``, ``1,5 MB``."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def datetime_text(calendar: BusinessCalendar, at: dt.datetime, weekday: bool = False) -> str:
    local = calendar.local(at)
    return f"{format_date_pt(local.date(), weekday)} às {local:%Hh%M}"
