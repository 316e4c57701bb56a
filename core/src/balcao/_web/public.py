"""Citizen-facing routes: the home page and tracking."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import JSONBody, URLEncodedBody
from litestar.response import File, Response, Template
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS

from balcao._desk import Desk, RateLimited
from balcao._domain.deadlines import Purpose, rule_for
from balcao._domain.kinds import Kind
from balcao._domain.survey import asked
from balcao._services.citizen_files import SentFile, sent_files
from balcao._services.manifestations import load
from balcao._services.queries import timeline
from balcao._services.survey import SurveyView
from balcao._types import Manifestation
from balcao._web.deadline_words import response_deadline_text
from balcao._web.formatting import datetime_text, size_text
from balcao._web.home import HomePages
from balcao._web.openapi import error_responses
from balcao._web.security import client_ip

__all__ = ["PUBLIC_ROUTES", "WRONG_ACCESS", "page_view", "verified"]

_ZONE_NAMES = {
    "America/Cuiaba": "Cuiabá",
    "America/Sao_Paulo": "Brasília",
    "America/Manaus": "Manaus",
}
WRONG_ACCESS = _WRONG = (
    "Protocolo ou código de acesso não conferem. Confira os dados e tente de novo."
)


class TrackingRequest(msgspec.Struct, frozen=True):
    protocol: str
    access_code: str


class PublicMessage(msgspec.Struct, frozen=True):
    direction: str
    text: str
    at: dt.datetime


class Tracking(msgspec.Struct, frozen=True, kw_only=True):
    protocol: str
    state: str
    state_label: str
    kind: str
    kind_label: str
    subject: str
    created_at: dt.datetime
    deadline: dt.date | None
    deadline_text: str | None
    messages: list[PublicMessage]
    attachments: list[SentFile]
    survey: SurveyView | None = None


@get("/", tags=["público"], include_in_schema=False)
async def home(desk: NamedDependency[Desk], request: Request[Any, Any, Any]) -> Response[str]:
    pages: HomePages = request.app.state.setdefault("home_pages", HomePages())
    return pages.response(desk, request, _home_context)


def _home_context(desk: Desk) -> dict[str, Any]:
    now = desk.now()
    nxt = desk.calendar.next_opening(now)
    cards = sorted(
        (c.spec.card for c in desk.channels.values() if c.spec.card),
        key=lambda card: (card.order, card.title),
    )
    return {
        "open_now": desk.calendar.is_open(now),
        "next_opening": nxt,
        "next_opening_text": datetime_text(desk.calendar, nxt, weekday=True),
        "hours_text": desk.calendar.hours_text(),
        "cards": cards,
        "timezone_label": _ZONE_NAMES.get(desk.settings.timezone, desk.settings.timezone),
    }


async def verified(
    desk: Desk, request: Request[Any, Any, Any], protocol: str, access_code: str
) -> Manifestation | None:
    """The manifestation when protocol and code match, under the shared access-code budget."""
    client = client_ip(request, desk.settings.trusted_proxies)
    try:
        return await desk.track(protocol, access_code, client)
    except RateLimited as exc:
        raise HTTPException(
            status_code=HTTP_429_TOO_MANY_REQUESTS,
            detail="Muitas consultas deste endereço. Tente de novo mais tarde.",
        ) from exc


async def _track(
    desk: Desk, request: Request[Any, Any, Any], data: TrackingRequest
) -> Tracking | None:
    found = await verified(desk, request, data.protocol, data.access_code)
    return None if found is None else await tracking(desk, found)


async def tracking(desk: Desk, found: Manifestation) -> Tracking:
    async with desk.database.read() as session:
        row = await load(session, found.protocol)
        assert row is not None
        entries = await timeline(session, row.id, public_only=True)
        files = await sent_files(session, row.id)
    response = [d for d in await desk.deadlines(found.protocol) if d.purpose == Purpose.RESPONSE]
    return Tracking(
        protocol=found.protocol,
        state=found.state.value,
        state_label=found.state.label,
        kind=found.kind.value,
        kind_label=found.kind.label,
        subject=found.subject,
        created_at=found.created_at,
        deadline=response[0].due_on if response else None,
        deadline_text=response_deadline_text(found.kind, response[0]) if response else None,
        attachments=files,
        messages=[
            PublicMessage(direction=e.type, text=e.text, at=e.at)
            for e in entries
            if e.type in ("inbound", "outbound")
        ],
        survey=await desk.survey(found.protocol) if asked(found.kind, found.anonymous) else None,
    )


@post(
    "/api/v1/tracking",
    summary="Acompanhar uma manifestação",
    description=(
        "Com `protocol` e `access_code`, devolve situação, tipo, data, prazo e "
        "as mensagens públicas. Limitado por endereço de origem (429 acima do "
        "limite); protocolo ou código errados respondem 404 sem dizer qual dos "
        "dois."
    ),
    tags=["público"],
    status_code=200,
    responses=error_responses(404, 429),
)
async def track_api(
    desk: NamedDependency[Desk], request: Request[Any, Any, Any], data: JSONBody[TrackingRequest]
) -> Tracking:
    """Track a manifestation by protocol number and access code."""
    found = await _track(desk, request, data)
    if found is None:
        raise HTTPException(status_code=404, detail=_WRONG)
    return found


@get("/acompanhar", include_in_schema=False)
async def track_form() -> Template:
    return Template("balcao/track.html", context={})


@post("/acompanhar", include_in_schema=False, status_code=200)
async def track_page(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    data: URLEncodedBody[dict[str, str]],
) -> Template:
    form = TrackingRequest(data.get("protocol", ""), data.get("access_code", ""))
    try:
        found = await _track(desk, request, form)
    except HTTPException as exc:
        return Template(
            "balcao/track.html",
            status_code=exc.status_code,
            context={"error": exc.detail, "protocol": form.protocol},
        )
    if found is None:
        return Template(
            "balcao/track.html",
            status_code=404,
            context={"error": _WRONG, "protocol": form.protocol},
        )
    context = {"result": page_view(desk, found), "access_code": form.access_code}
    return Template("balcao/track.html", context=context)


def page_view(desk: Desk, found: Tracking) -> dict[str, Any]:
    """The tracking answer as the page shows it (times in the balcão's time zone)."""
    return {
        "survey": found.survey,
        "survey_until_text": (
            datetime_text(desk.calendar, found.survey.changeable_until)
            if found.survey and found.survey.changeable_until
            else ""
        ),
        "protocol": found.protocol,
        "kind_label": found.kind_label,
        "state_label": found.state_label,
        "subject": found.subject,
        "deadline": found.deadline,
        "created_text": datetime_text(desk.calendar, found.created_at),
        "deadline_text": found.deadline_text or "",
        "deadline_basis": rule_for(Purpose.RESPONSE, Kind(found.kind)).basis,
        "files": [
            {"name": f.filename, "size_text": size_text(f.size), "received": f.received}
            for f in found.attachments
        ],
        "messages": [
            {
                "direction": m.direction,
                "text": m.text,
                "at": m.at.isoformat(),
                "at_text": datetime_text(desk.calendar, m.at),
            }
            for m in found.messages
        ],
    }


_FAVICON = Path(__file__).parents[1] / "static" / "favicon.ico"


@get("/favicon.ico", include_in_schema=False)
async def favicon() -> File:
    # browsers ask for it at the root whatever the page links to
    return File(_FAVICON, media_type="image/x-icon", headers={"cache-control": "max-age=86400"})


PUBLIC_ROUTES = [home, track_api, track_form, track_page, favicon]
