"""Dates and times as people in the balcão's time zone read them (pt-BR)."""

from __future__ import annotations

import datetime as dt

from balcao._domain.calendar import BusinessCalendar

__all__ = ["date_text", "datetime_text", "long_date_text", "size_text"]

_WEEKDAYS = [
    "segunda-feira",
    "terça-feira",
    "quarta-feira",
    "quinta-feira",
    "sexta-feira",
    "sábado",
    "domingo",
]
_MONTHS = [
    "janeiro",
    "fevereiro",
    "março",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
]


def date_text(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def long_date_text(day: dt.date) -> str:
    """``15 de janeiro de 2027``; the first of a month is ``1º``, as pt-BR writes it."""
    number = "1º" if day.day == 1 else str(day.day)
    return f"{number} de {_MONTHS[day.month - 1]} de {day.year}"


def size_text(size: int) -> str:
    """A file size as people read it: ``820 bytes``, ``12 KB``, ``1,5 MB``."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def datetime_text(calendar: BusinessCalendar, at: dt.datetime, weekday: bool = False) -> str:
    local = calendar.local(at)
    text = f"{local:%d/%m/%Y} às {local:%Hh%M}"
    return f"{_WEEKDAYS[local.weekday()]}, {text}" if weekday else text
