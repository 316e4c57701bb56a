"""The citizen JSON API: free slots, book, see, move and cancel a booking."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from balcao import PluginDesk, error_responses
from balcao_meet._bookings import BookingClosed, Bookings, Confirmation, SlotTaken
from balcao_meet._config import MeetConfig
from balcao_meet._ics import booking_ics
from balcao_meet._models import BookingRow, Status
from balcao_meet._requests import BookingRequest, MoveRequest
from balcao_meet._views import (
    SlotView,
    access_limit,
    check_rate,
    checked_days,
    parse_day,
    slot_views,
)

__all__ = ["API_ROUTES"]

_NO_CSRF = {"exclude_from_csrf": True}
# Routes behind an access code: none sent (401), a wrong one (404), too many tries (429).
_CODE_ERRORS = error_responses(401, 404, 429)
_TAKEN = "Este horário acabou de ser reservado por outra pessoa. Escolha outro horário."
AccessCode = Annotated[str | None, HeaderParameter(name="X-Access-Code")]


class BookingView(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    protocol: str
    start: str
    end: str
    meeting_url: str
    status: str
    status_label: str
    access_code: str | None = None


def _view(desk: PluginDesk, c: Confirmation) -> BookingView:
    local = desk.calendar.local
    return BookingView(
        protocol=c.protocol,
        access_code=c.access_code,
        start=local(c.start).isoformat(),
        end=local(c.end).isoformat(),
        meeting_url=c.meeting_url,
        status=c.status,
        status_label=Status(c.status).label,
    )


def _row_view(desk: PluginDesk, row: BookingRow) -> BookingView:
    assert row.protocol is not None
    return _view(
        desk,
        Confirmation(row.protocol, None, row.start_at, row.end_at, row.meeting_url, row.status),
    )


def _code(code: str | None) -> str:
    if not code:
        raise HTTPException(
            status_code=401, detail="envie o código de acesso no cabeçalho X-Access-Code"
        )
    return code


@get(
    "/api/slots",
    summary="Horários livres",
    description=(
        "Os horários livres a partir de `from` (padrão: hoje) por `days` dias "
        "corridos, com início e fim em ISO 8601 com fuso."
    ),
    tags=["meet"],
)
async def slots_api(
    desk: NamedDependency[PluginDesk],
    config: NamedDependency[MeetConfig],
    first: Annotated[str | None, QueryParameter(name="from")] = None,
    days: Annotated[int | None, QueryParameter(name="days")] = None,
) -> list[SlotView]:
    """Free slots from ``from`` (default today) for ``days`` calendar days."""
    start = parse_day(first, desk.today())
    count = checked_days(days or config.days_ahead)
    found = await Bookings(desk, config).slots(start, start + dt.timedelta(days=count - 1))
    return slot_views(desk.calendar, found)


@post(
    "/api/bookings",
    summary="Agendar um atendimento",
    description=(
        "Reserva um horário: registra a manifestação e cria a reunião; devolve "
        "protocolo, código de acesso, início e link da reunião. 409 quando o "
        "horário já foi tomado."
    ),
    tags=["meet"],
    status_code=201,
    opt=_NO_CSRF,
    responses=error_responses(409, 422, 429),
)
async def book_api(
    desk: NamedDependency[PluginDesk],
    config: NamedDependency[MeetConfig],
    request: Request[Any, Any, Any],
    data: JSONBody[BookingRequest],
) -> BookingView:
    """Book a slot: creates the manifestation and the meeting; 409 when the slot is taken."""
    await check_rate(desk, config, request)
    try:
        return _view(desk, await Bookings(desk, config).book(data))
    except SlotTaken:
        raise HTTPException(status_code=409, detail=_TAKEN) from None


@get(
    "/api/bookings/{protocol:str}",
    summary="Consultar um agendamento",
    description=(
        "O agendamento de `protocol`, com o código de acesso no cabeçalho `X-Access-Code`."
    ),
    tags=["meet"],
    guards=[access_limit],
    responses=_CODE_ERRORS,
)
async def booking_api(
    desk: NamedDependency[PluginDesk],
    config: NamedDependency[MeetConfig],
    protocol: FromPath[str],
    code: AccessCode = None,
) -> BookingView:
    """The booking of ``protocol`` (access code in ``X-Access-Code``)."""
    return _row_view(desk, await Bookings(desk, config).find(protocol, _code(code)))


@patch(
    "/api/bookings/{protocol:str}",
    summary="Remarcar um agendamento",
    description=(
        "Move o agendamento para outro horário livre; o link da reunião "
        "continua o mesmo. 409 quando o novo horário já foi tomado."
    ),
    tags=["meet"],
    opt=_NO_CSRF,
    guards=[access_limit],
    responses={**_CODE_ERRORS, **error_responses(409)},
)
async def move_api(
    desk: NamedDependency[PluginDesk],
    config: NamedDependency[MeetConfig],
    protocol: FromPath[str],
    data: JSONBody[MoveRequest],
    code: AccessCode = None,
) -> BookingView:
    """Move the booking to another free slot; the meeting link stays the same."""
    try:
        return _view(desk, await Bookings(desk, config).move(protocol, _code(code), data.start))
    except SlotTaken:
        raise HTTPException(status_code=409, detail=_TAKEN) from None
    except BookingClosed as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None


@delete(
    "/api/bookings/{protocol:str}",
    summary="Cancelar um agendamento",
    description=(
        "Cancela o agendamento (código de acesso em `X-Access-Code`): o horário"
        " fica livre e a reunião é removida."
    ),
    tags=["meet"],
    status_code=200,
    opt=_NO_CSRF,
    guards=[access_limit],
    responses={**_CODE_ERRORS, **error_responses(409)},
)
async def cancel_api(
    desk: NamedDependency[PluginDesk],
    config: NamedDependency[MeetConfig],
    protocol: FromPath[str],
    code: AccessCode = None,
) -> BookingView:
    """Cancel the booking: the slot is freed and the meeting removed."""
    try:
        return _row_view(desk, await Bookings(desk, config).cancel(protocol, _code(code)))
    except BookingClosed as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None


@get(
    "/api/bookings/{protocol:str}/calendar.ics",
    summary="Agendamento em iCalendar",
    description=(
        "O agendamento como arquivo `.ics` para a agenda do cidadão (código de "
        "acesso em `X-Access-Code`)."
    ),
    tags=["meet"],
    guards=[access_limit],
    responses=_CODE_ERRORS,
)
async def ics_api(
    desk: NamedDependency[PluginDesk],
    config: NamedDependency[MeetConfig],
    protocol: FromPath[str],
    code: AccessCode = None,
) -> Response[str]:
    """The booking as an iCalendar file."""
    row = await Bookings(desk, config).find(protocol, _code(code))
    return ics_response(desk, row)


def ics_response(desk: PluginDesk, row: BookingRow) -> Response[str]:
    body = booking_ics(row, desk.settings.ouvidoria_name, desk.now())
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="atendimento-{row.protocol}.ics"'},
    )


API_ROUTES = [slots_api, book_api, booking_api, move_api, cancel_api, ics_api]
