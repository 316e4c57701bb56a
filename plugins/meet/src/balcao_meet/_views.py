"""Shapes shared by the routes: slots as JSON and grouped by day, request guards."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException
from litestar.handlers.base import BaseRouteHandler

from balcao import BusinessCalendar, InvalidParameter, PluginDesk, client_ip, parse_date
from balcao_meet._config import MeetConfig
from balcao_meet._slots import Interval
from balcao_meet._text import day_text, hour_text

__all__ = ["SlotView", "access_limit", "check_rate", "grouped", "parse_day", "slot_views"]

_MAX_DAYS = 62


class SlotView(msgspec.Struct, frozen=True):
    """A free slot: ISO 8601 with the balcão's offset."""

    start: str
    end: str


def slot_views(calendar: BusinessCalendar, slots: list[Interval]) -> list[SlotView]:
    return [
        SlotView(calendar.local(s.start).isoformat(), calendar.local(s.end).isoformat())
        for s in slots
    ]


def grouped(calendar: BusinessCalendar, slots: list[Interval]) -> list[dict[str, Any]]:
    """Slots by local day, for the page: [{"day", "label", "slots": [{"value", "label"}]}]."""
    days: dict[dt.date, list[dict[str, str]]] = {}
    for slot in slots:
        local = calendar.local(slot.start)
        label = f"{hour_text(calendar, slot.start)} às {hour_text(calendar, slot.end)}"
        days.setdefault(local.date(), []).append({"value": local.isoformat(), "label": label})
    return [
        {"day": day.isoformat(), "label": day_text(day), "slots": items}
        for day, items in days.items()
    ]


def parse_day(raw: str | None, default: dt.date, name: str = "from") -> dt.date:
    try:
        return parse_date(raw, name) or default
    except InvalidParameter as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None


def checked_days(days: int) -> int:
    if not 1 <= days <= _MAX_DAYS:
        raise HTTPException(status_code=400, detail=f"days deve estar entre 1 e {_MAX_DAYS}")
    return days


async def check_rate(desk: PluginDesk, config: MeetConfig, request: Request[Any, Any, Any]) -> None:
    """Booking attempts per client address per hour."""
    key = f"meet:book:{client_ip(request, desk.settings.trusted_proxies)}"
    if not await desk.allow(key, config.bookings_per_hour, dt.timedelta(hours=1)):
        raise HTTPException(
            status_code=429, detail="Muitos agendamentos deste endereço. Tente de novo mais tarde."
        )


async def access_limit(
    connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
) -> None:
    """Guard for routes that check an access code: the core's one hourly budget per client
    address, shared with tracking, so codes cannot be guessed by trying many."""
    desk: PluginDesk = connection.app.state.desk
    if not await desk.allow_access_attempt(client_ip(connection, desk.settings.trusted_proxies)):
        raise HTTPException(
            status_code=429, detail="Muitas consultas deste endereço. Tente de novo mais tarde."
        )
