"""Dates and times as people in the balcão's time zone read them (pt-BR)."""

from __future__ import annotations

import datetime as dt

from balcao._domain.calendar import BusinessCalendar

__all__ = ["date_text", "datetime_text"]

_WEEKDAYS = [
    "segunda-feira",
    "terça-feira",
    "quarta-feira",
    "quinta-feira",
    "sexta-feira",
    "sábado",
    "domingo",
]


def date_text(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def datetime_text(calendar: BusinessCalendar, at: dt.datetime, weekday: bool = False) -> str:
    local = calendar.local(at)
    text = f"{local:%d/%m/%Y} às {local:%Hh%M}"
    return f"{_WEEKDAYS[local.weekday()]}, {text}" if weekday else text
