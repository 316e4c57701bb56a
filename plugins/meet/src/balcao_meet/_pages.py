"""The citizen pages (pt-BR, no JavaScript): pick a slot and book, then cancel or move."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Template

from balcao import InvalidManifestation, NotFound, PluginDesk
from balcao_meet._api import ics_response
from balcao_meet._bookings import BookingClosed, Bookings, Confirmation, SlotTaken
from balcao_meet._config import MeetConfig
from balcao_meet._models import BookingRow, Status
from balcao_meet._requests import BookingRequest, CitizenContact, bookable_kinds
from balcao_meet._text import when_text, zone_text
from balcao_meet._views import access_limit, check_rate, grouped

__all__ = ["PAGE_ROUTES"]

_TAKEN = "Este horário acabou de ser reservado por outra pessoa. Escolha outro horário."
Form = URLEncodedBody[dict[str, str]]


async def _slot_groups(desk: PluginDesk, bookings: Bookings) -> list[dict[str, Any]]:
    return grouped(desk.calendar, await bookings.slots(desk.today(), bookings.horizon()))


async def _form_page(
    desk: PluginDesk, config: MeetConfig, status: int = 200, day: str = "", **context: Any
) -> Template:
    bookings = Bookings(desk, config)
    groups = await _slot_groups(desk, bookings)
    shown = [g for g in groups if g["day"] == day] or groups[:1]
    return Template(
        "meet/index.html",
        status_code=status,
        context={
            "days": shown,
            "nav": _day_nav(groups, shown[0]["day"] if shown else ""),
            "kinds": [(k.value, k.label) for k in bookable_kinds()],
            "zone": zone_text(desk.calendar),
            "hours": desk.calendar.hours_text(),
            "form": {},
            "google": bookings.google is not None,
            **context,
        },
    )


def _day_nav(groups: list[dict[str, Any]], current: str) -> list[dict[str, Any]]:
    """One link per day with free slots; the page shows one day at a time."""
    return [
        {
            "day": g["day"],
            "label": g["label"],
            "count": len(g["slots"]),
            "current": g["day"] == current,
        }
        for g in groups
    ]


@get("/", include_in_schema=False)
async def index(
    desk: NamedDependency[PluginDesk],
    config: NamedDependency[MeetConfig],
    dia: FromQuery[str | None] = None,
) -> Template:
    return await _form_page(desk, config, day=dia or "")


def _request(form: dict[str, str]) -> BookingRequest:
    try:
        start = dt.datetime.fromisoformat(form.get("start", ""))
    except ValueError:
        raise InvalidManifestation("start", "escolha um horário na lista") from None
    contact = CitizenContact(
        name=form.get("name", ""), email=form.get("email") or None, phone=form.get("phone") or None
    )
    return BookingRequest(
        start=start,
        kind=form.get("kind", ""),
        description=form.get("description", ""),
        citizen=contact,
        consent=form.get("consent") == "sim",
    )


@post("/agendar", include_in_schema=False, status_code=200)
async def book_page(
    desk: NamedDependency[PluginDesk],
    config: NamedDependency[MeetConfig],
    request: Request[Any, Any, Any],
    data: Form,
) -> Template:
    try:
        await check_rate(desk, config, request)
        confirmation = await Bookings(desk, config).book(_request(data))
    except SlotTaken:
        return await _form_page(
            desk, config, 409, error=_TAKEN, form=data, day=data.get("start", "")[:10]
        )
    except InvalidManifestation as exc:
        return await _form_page(
            desk,
            config,
            422,
            error=exc.reason,
            field=exc.field,
            form=data,
            day=data.get("start", "")[:10],
        )
    except HTTPException as exc:
        return await _form_page(
            desk,
            config,
            exc.status_code,
            error=exc.detail,
            form=data,
            day=data.get("start", "")[:10],
        )
    return _confirmation_page(desk, confirmation, "Atendimento agendado")


async def _again(
    desk: PluginDesk, config: MeetConfig, form: dict[str, str], status: int, error: str
) -> Template:
    """The form again with what was typed, the error, and the chosen slot's day."""
    day = form.get("start", "")[:10]
    return await _form_page(desk, config, status, day=day, error=error, form=form)


def _confirmation_page(desk: PluginDesk, c: Confirmation, title: str) -> Template:
    return Template(
        "meet/confirmation.html",
        status_code=201 if c.access_code else 200,
        context={
            "title": title,
            "protocol": c.protocol,
            "access_code": c.access_code,
            "when": when_text(desk.calendar, c.start),
            "start": desk.calendar.local(c.start).isoformat(),
            "meeting_url": c.meeting_url,
        },
    )


@get("/gerenciar", include_in_schema=False)
async def manage_form() -> Template:
    return Template("meet/manage.html", context={})


async def _found(
    desk: PluginDesk, config: MeetConfig, form: dict[str, str]
) -> tuple[Bookings, BookingRow] | Template:
    bookings = Bookings(desk, config)
    try:
        row = await bookings.find(form.get("protocol", "").strip(), form.get("access_code", ""))
    except NotFound as exc:
        context = {"error": str(exc).capitalize() + ".", "protocol": form.get("protocol", "")}
        return Template("meet/manage.html", status_code=404, context=context)
    return bookings, row


@post("/gerenciar", include_in_schema=False, status_code=200, guards=[access_limit])
async def manage_page(
    desk: NamedDependency[PluginDesk], config: NamedDependency[MeetConfig], data: Form
) -> Template:
    found = await _found(desk, config, data)
    if isinstance(found, Template):
        return found
    bookings, row = found
    return await _manage_view(desk, bookings, row, data.get("access_code", ""))


async def _manage_view(
    desk: PluginDesk, bookings: Bookings, row: BookingRow, code: str, **context: Any
) -> Template:
    status = Status(row.status)
    changeable = status.holds_slot and row.start_at > desk.now()
    return Template(
        "meet/manage.html",
        status_code=context.pop("status", 200),
        context={
            "booking": {
                "protocol": row.protocol,
                "when": when_text(desk.calendar, row.start_at),
                "status": status.label,
                "meeting_url": row.meeting_url,
                "changeable": changeable,
            },
            "access_code": code,
            "days": await _slot_groups(desk, bookings) if changeable else [],
            **context,
        },
    )


@post("/cancelar", include_in_schema=False, status_code=200, guards=[access_limit])
async def cancel_page(
    desk: NamedDependency[PluginDesk], config: NamedDependency[MeetConfig], data: Form
) -> Template:
    found = await _found(desk, config, data)
    if isinstance(found, Template):
        return found
    bookings, row = found
    code = data.get("access_code", "")
    try:
        assert row.protocol is not None
        row = await bookings.cancel(row.protocol, code)
    except BookingClosed as exc:
        return await _manage_view(desk, bookings, row, code, error=str(exc), status=409)
    return await _manage_view(desk, bookings, row, code, notice="Atendimento cancelado.")


@post("/remarcar", include_in_schema=False, status_code=200, guards=[access_limit])
async def move_page(
    desk: NamedDependency[PluginDesk], config: NamedDependency[MeetConfig], data: Form
) -> Template:
    found = await _found(desk, config, data)
    if isinstance(found, Template):
        return found
    bookings, row = found
    code = data.get("access_code", "")
    assert row.protocol is not None
    try:
        start = dt.datetime.fromisoformat(data.get("start", ""))
        confirmation = await bookings.move(row.protocol, code, start)
    except ValueError as exc:  # InvalidManifestation is one too
        reason = getattr(exc, "reason", "escolha um horário na lista")
        return await _manage_view(desk, bookings, row, code, error=reason, status=422)
    except (SlotTaken, BookingClosed) as exc:
        error = _TAKEN if isinstance(exc, SlotTaken) else str(exc)
        return await _manage_view(desk, bookings, row, code, error=error, status=409)
    return _confirmation_page(desk, confirmation, "Atendimento remarcado")


@post("/agendamento.ics", include_in_schema=False, status_code=200, guards=[access_limit])
async def ics_page(
    desk: NamedDependency[PluginDesk], config: NamedDependency[MeetConfig], data: Form
) -> Response[str] | Template:
    found = await _found(desk, config, data)
    if isinstance(found, Template):
        return found
    return ics_response(desk, found[1])


PAGE_ROUTES = [index, book_page, manage_form, manage_page, cancel_page, move_page, ics_page]
