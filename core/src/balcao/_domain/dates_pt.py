"""Dates as people in Brazil read them: weekday and month names in pt-BR, dd/mm/yyyy."""

from __future__ import annotations

import datetime as dt

__all__ = ["WEEKDAYS_SHORT", "format_date_pt", "month_pt", "weekday_pt"]

#: Monday first, as ``date.weekday()`` counts: "segunda" ... "domingo".
WEEKDAYS_SHORT = ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo")
_MONTHS = (
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
)


def weekday_pt(day: dt.date, short: bool = False) -> str:
    """The weekday of ``day`` in pt-BR: "segunda-feira" ... "domingo" (``short``: "segunda")."""
    name = WEEKDAYS_SHORT[day.weekday()]
    return name if short or day.weekday() >= 5 else f"{name}-feira"


def month_pt(month: int, short: bool = False) -> str:
    """The name of month number ``month`` (1-12) in pt-BR: "março" (``short``: "mar")."""
    name = _MONTHS[month - 1]
    return name[:3] if short else name


def format_date_pt(day: dt.date, weekday: bool = True) -> str:
    """``day`` as "quarta-feira, 02/12/2026" (``weekday=False``: "02/12/2026")."""
    text = f"{day:%d/%m/%Y}"
    return f"{weekday_pt(day)}, {text}" if weekday else text
