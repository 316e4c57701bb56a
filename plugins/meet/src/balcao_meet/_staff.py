"""Staff routes under ``/exports/meet``: the agenda (today or the week) and the outcome
of each booking."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromPath, JSONBody, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from balcao import Access, PluginDesk, current_actor, error_responses
from balcao_meet._bookings import BookingClosed, Bookings
from balcao_meet._config import MeetConfig
from balcao_meet._models import BookingRow, Status
from balcao_meet._outcomes import Outcome, record_outcome
from balcao_meet._text import day_text, hour_text
from balcao_meet._views import parse_day

__all__ = ["STAFF_ROUTES"]


class AgendaItem(msgspec.Struct, frozen=True, kw_only=True):
    protocol: str | None
    start: str
    end: str
    status: str
    status_label: str
    kind: str | None
    contact: str
    meeting_url: str
    event_state: str
    reminders: list[str]
    manifestation_url: str


class OutcomeRequest(msgspec.Struct, frozen=True, kw_only=True):
    outcome: Outcome
    reason: str = ""


async def _items(
    desk: PluginDesk, config: MeetConfig, first: dt.date, days: int
) -> list[AgendaItem]:
    zone = desk.calendar.timezone
    start = dt.datetime.combine(first, dt.time(0), zone)
    end = start + dt.timedelta(days=days)
    rows = await Bookings(desk, config).store.between(start, end)
    return [await _item(desk, config, row) for row in rows if row.status != Status.RESERVED]


async def _item(desk: PluginDesk, config: MeetConfig, row: BookingRow) -> AgendaItem:
    kind = (await desk.get(row.protocol)).kind.value if row.protocol else None
    return AgendaItem(
        protocol=row.protocol,
        start=desk.calendar.local(row.start_at).isoformat(),
        end=desk.calendar.local(row.end_at).isoformat(),
        status=row.status,
        status_label=Status(row.status).label,
        kind=kind,
        contact=row.contact,
        meeting_url=row.meeting_url,
        event_state=row.event_state,
        reminders=list(row.reminders),
        manifestation_url=config.staff_link.format(protocol=row.protocol or ""),
    )


def _span(period: str, desk: PluginDesk, first: str | None) -> tuple[dt.date, int]:
    if period not in ("today", "week"):
        raise HTTPException(status_code=400, detail="period deve ser 'today' ou 'week'")
    day = parse_day(first, desk.today())
    if period == "today":
        return day, 1
    return day - dt.timedelta(days=day.weekday()), 7


Period = Annotated[str, QueryParameter(name="period")]
First = Annotated[str | None, QueryParameter(name="from")]


@get(
    "/api/agenda",
    summary="Agenda de atendimentos",
    description=(
        "Os agendamentos do dia (`period=today`) ou da semana (`period=week`), para a equipe."
    ),
    opt={"access": Access.EXPORT_READ},
    tags=["meet"],
)
async def agenda_api(
    desk: NamedDependency[PluginDesk],
    config: NamedDependency[MeetConfig],
    period: Period = "today",
    first: First = None,
) -> list[AgendaItem]:
    """Bookings of the day (``period=today``) or of its week (``period=week``)."""
    day, days = _span(period, desk, first)
    return await _items(desk, config, day, days)


@get("/agenda", opt={"access": Access.EXPORT_READ}, include_in_schema=False)
async def agenda_page(
    desk: NamedDependency[PluginDesk],
    config: NamedDependency[MeetConfig],
    period: Period = "today",
    first: First = None,
) -> Template:
    day, days = _span(period, desk, first)
    items = await _items(desk, config, day, days)
    last = day + dt.timedelta(days=days - 1)
    span = day_text(day) if days == 1 else f"{day_text(day)} a {day_text(last)}"
    return Template(
        "meet/agenda.html",
        context={
            "period": period,
            "groups": _by_day(desk, items),
            "outcomes": _OUTCOMES,
            "span_text": span,
            "previous": (day - dt.timedelta(days=days)).isoformat(),
            "following": (day + dt.timedelta(days=days)).isoformat(),
        },
    )


_OUTCOMES = [
    (Outcome.ATTENDED.value, "Atendido"),
    (Outcome.NO_SHOW.value, "Não compareceu"),
    (Outcome.CANCELLED_BY_OUVIDORIA.value, "Cancelar (ouvidoria)"),
]


def _reminder_text(keys: list[str]) -> str:
    names = {"day": "véspera", "soon": "15 min"}
    texts = []
    for key in keys:
        name = names.get(key.partition("@")[0], key)
        texts.append(f"{name} (não enviado)" if key.endswith("#not-sent") else name)
    return ", ".join(texts) or "—"


def _by_day(desk: PluginDesk, items: list[AgendaItem]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        start = dt.datetime.fromisoformat(item.start)
        label = day_text(start.date())
        entry = {
            **msgspec.structs.asdict(item),
            "hour": hour_text(desk.calendar, start),
            "reminder_text": _reminder_text(item.reminders),
        }
        groups.setdefault(label, []).append(entry)
    return [{"label": label, "items": entries} for label, entries in groups.items()]


async def _record(
    desk: PluginDesk,
    config: MeetConfig,
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: OutcomeRequest,
) -> BookingRow:
    actor = current_actor(request)
    await desk.authorize(protocol, actor, Access.EXPORT_WRITE)
    try:
        return await record_outcome(
            Bookings(desk, config), protocol, data.outcome, actor, data.reason
        )
    except BookingClosed as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None


@post(
    "/api/bookings/{protocol:str}/outcome",
    summary="Registrar o resultado do atendimento",
    description=(
        "Marca `attended`, `no_show` ou `cancelled_by_ouvidoria` (este com "
        "`reason`, que é informado ao cidadão)."
    ),
    opt={"access": Access.EXPORT_WRITE, "exclude_from_csrf": True},
    status_code=200,
    responses=error_responses(409),
    tags=["meet"],
)
async def outcome_api(
    desk: NamedDependency[PluginDesk],
    config: NamedDependency[MeetConfig],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: JSONBody[OutcomeRequest],
) -> AgendaItem:
    """Mark ``attended``, ``no_show`` or ``cancelled_by_ouvidoria`` (with a ``reason``,
    which the citizen is told)."""
    row = await _record(desk, config, request, protocol, data)
    return await _item(desk, config, row)


@post("/agenda/{protocol:str}", opt={"access": Access.EXPORT_WRITE}, include_in_schema=False)
async def outcome_form(
    desk: NamedDependency[PluginDesk],
    config: NamedDependency[MeetConfig],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: URLEncodedBody[dict[str, str]],
) -> Redirect:
    try:
        outcome = Outcome(data.get("outcome", ""))
    except ValueError:
        raise HTTPException(status_code=400, detail="escolha o resultado do atendimento") from None
    await _record(
        desk,
        config,
        request,
        protocol,
        OutcomeRequest(outcome=outcome, reason=data.get("reason", "")),
    )
    return Redirect(f"/exports/meet/agenda?period={data.get('period', 'today')}")


STAFF_ROUTES = [agenda_api, agenda_page, outcome_api, outcome_form]
