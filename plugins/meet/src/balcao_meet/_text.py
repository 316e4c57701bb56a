"""Dates and times as citizens read them, in the balcão's time zone (pt-BR)."""

from __future__ import annotations

import datetime as dt

from balcao import BusinessCalendar, format_date_pt

__all__ = ["day_text", "hour_text", "when_text", "zone_text"]

_ZONES = {"America/Cuiaba": "Cuiabá", "America/Sao_Paulo": "Brasília", "America/Manaus": "Manaus"}


def zone_text(calendar: BusinessCalendar) -> str:
    key = str(calendar.timezone.key)
    return f"horário de {_ZONES.get(key, key)}"


def day_text(day: dt.date) -> str:
    return format_date_pt(day)


def hour_text(calendar: BusinessCalendar, at: dt.datetime) -> str:
    return f"{calendar.local(at):%Hh%M}"


def when_text(calendar: BusinessCalendar, at: dt.datetime) -> str:
    """E.g. "quarta-feira, 02/12/2026 às 08h00 (horário de Cuiabá)"."""
    local = calendar.local(at)
    return f"{day_text(local.date())} às {local:%Hh%M} ({zone_text(calendar)})"
