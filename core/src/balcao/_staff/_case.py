"""The manifestation page and its actions (reply, note, transition, complementação,
deadline extension, assignment, merge, identity view, unit answer)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy import select

from balcao._access import Access, may, redact, unit_timeline
from balcao._db.models import AttachmentRow, UserRow
from balcao._desk import Desk, NotFound, TransitionRefused
from balcao._domain.lifecycle import TRANSITIONS, IllegalTransition, State
from balcao._domain.survey import asked
from balcao._services.deadlines import DeadlineError
from balcao._services.manifestations import InvalidManifestation, load
from balcao._services.queries import timeline
from balcao._specs import ActionSpec
from balcao._staff._common import page, text_of, visible
from balcao._types import Actor, Citizen, Manifestation
from balcao._web.auth import current_actor

__all__ = ["CASE_ROUTES"]

_BASE = "/staff/manifestacoes/{protocol:str}"
_Form = URLEncodedBody[dict[str, Any]]
_FAILURES = (
    IllegalTransition,
    TransitionRefused,
    DeadlineError,
    InvalidManifestation,
    ValueError,
    PermissionError,
)


async def _context(
    desk: Desk, actor: Actor, found: Manifestation, specs: list[ActionSpec]
) -> dict[str, Any]:
    async with desk.database.read() as session:
        row = await load(session, found.protocol)
        assert row is not None
        entries = await timeline(session, row.id)
        files = list(
            await session.scalars(
                select(AttachmentRow).where(AttachmentRow.manifestation_id == row.id)
            )
        )
        staff = list(
            (
                await session.execute(
                    select(UserRow.id, UserRow.name).where(
                        UserRow.role.in_(("ouvidor", "atendente")), UserRow.active.is_(True)
                    )
                )
            ).all()
        )
    shown = redact(actor, found)
    return {
        "m": shown,
        "redacted": shown is not found,
        "timeline": unit_timeline(actor, entries),
        "files": files if may(actor, Access.ATTACHMENT, found) else [],
        "deadlines": await desk.deadlines(found.protocol),
        "next_states": sorted(TRANSITIONS[found.state], key=list(State).index),
        "staff": staff,
        "actions": _actions(specs, actor, found.protocol),
        "can": {a.value for a in Access if may(actor, a, found)},
        # a unit sees the pseudonymized extract only; the citizen's own words stay here
        "survey": await desk.survey(found.protocol) if _surveyed(actor, found) else None,
    }


def _surveyed(actor: Actor, found: Manifestation) -> bool:
    return actor.role != "unidade" and asked(found.kind, found.anonymous)


def _actions(specs: list[ActionSpec], actor: Actor, protocol: str) -> list[ActionSpec]:
    """The plugins' actions this role may use, with the protocol in their path."""
    return [
        ActionSpec(
            name=s.name,
            title=s.title,
            path=s.path.replace("{protocol}", protocol),
            roles=s.roles,
            method=s.method.upper(),
        )
        for s in specs
        if actor.role in s.roles
    ]


async def _render(
    desk: Desk,
    request: Request[Any, Any, Any],
    protocol: str,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Template:
    actor = current_actor(request)
    found = await visible(desk, actor, protocol)
    specs: list[ActionSpec] = request.app.state.get("staff_actions", [])
    context = await _context(desk, actor, found, specs)
    return page(request, "case.html", status_code=status_code, **context, **extra)


@get(_BASE, opt={"access": Access.VIEW}, include_in_schema=False)
async def case(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    ok: FromQuery[str | None] = None,
) -> Template:
    """One manifestation: timeline across channels, deadlines, routing reason, actions."""
    return await _render(desk, request, protocol, ok=ok)


async def _act(
    desk: Desk,
    request: Request[Any, Any, Any],
    protocol: str,
    done: str,
    action: Callable[[Actor, Manifestation], Awaitable[Any]],
) -> Template | Redirect:
    actor = current_actor(request)
    found = await visible(desk, actor, protocol, request.route_handler.opt["access"])
    try:
        await action(actor, found)
    except NotFound:
        raise
    except _FAILURES as exc:
        return await _render(desk, request, found.protocol, status_code=422, error=str(exc))
    return Redirect(f"/staff/manifestacoes/{found.protocol}?ok={done}", status_code=303)


@post(f"{_BASE}/responder", opt={"access": Access.REPLY}, include_in_schema=False)
async def reply(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: _Form,
) -> Template | Redirect:
    text = text_of(data, "text")

    async def run(actor: Actor, found: Manifestation) -> Any:
        if not text:
            raise InvalidManifestation("text", "a resposta está vazia")
        return await desk.reply(found.protocol, text, actor)

    return await _act(desk, request, protocol, "resposta", run)


@post(f"{_BASE}/nota", opt={"access": Access.NOTE}, include_in_schema=False)
async def note(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: _Form,
) -> Template | Redirect:
    text = text_of(data, "text")

    async def run(actor: Actor, found: Manifestation) -> Any:
        if not text:
            raise InvalidManifestation("text", "a nota está vazia")
        return await desk.note(found.protocol, text, actor)

    return await _act(desk, request, protocol, "nota", run)


@post(f"{_BASE}/transicao", opt={"access": Access.TRANSITION}, include_in_schema=False)
async def transition(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: _Form,
) -> Template | Redirect:
    target, reason = text_of(data, "to"), text_of(data, "reason")

    async def run(actor: Actor, found: Manifestation) -> Any:
        if target not in {s.value for s in State}:
            raise InvalidManifestation("to", "escolha uma situação da lista")
        return await desk.transition(found.protocol, target, actor, reason)

    return await _act(desk, request, protocol, "situacao", run)


@post(f"{_BASE}/complementacao", opt={"access": Access.COMPLEMENT}, include_in_schema=False)
async def complementation(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: _Form,
) -> Template | Redirect:
    text = text_of(data, "text")

    async def run(actor: Actor, found: Manifestation) -> Any:
        return await desk.request_complementation(found.protocol, text, actor)

    return await _act(desk, request, protocol, "complementacao", run)


@post(f"{_BASE}/prazo", opt={"access": Access.EXTEND}, include_in_schema=False)
async def extend(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: _Form,
) -> Template | Redirect:
    purpose, reason = text_of(data, "purpose") or "response", text_of(data, "reason")

    async def run(actor: Actor, found: Manifestation) -> Any:
        try:
            return await desk.extend_deadline(found.protocol, purpose, reason, actor)
        except NotFound as exc:
            raise DeadlineError(str(exc)) from exc

    return await _act(desk, request, protocol, "prazo", run)


@post(f"{_BASE}/atribuir", opt={"access": Access.ASSIGN}, include_in_schema=False)
async def assign(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: _Form,
) -> Template | Redirect:
    raw = text_of(data, "assignee")

    async def run(actor: Actor, found: Manifestation) -> Any:
        user_id = int(raw) if raw.isdigit() else None
        return await desk.assign(found.protocol, user_id, actor)

    return await _act(desk, request, protocol, "atribuicao", run)


@post(f"{_BASE}/mesclar", opt={"access": Access.MERGE}, include_in_schema=False)
async def merge(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: _Form,
) -> Template | Redirect:
    into = text_of(data, "into")

    async def run(actor: Actor, found: Manifestation) -> Any:
        try:
            return await desk.merge(found.protocol, into, actor)
        except NotFound as exc:
            raise InvalidManifestation("into", f"protocolo {into} não encontrado") from exc

    return await _act(desk, request, protocol, "mesclada", run)


@post(f"{_BASE}/resposta-unidade", opt={"access": Access.UNIT_ANSWER}, include_in_schema=False)
async def unit_answer(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: _Form,
) -> Template | Redirect:
    text = text_of(data, "text")

    async def run(actor: Actor, found: Manifestation) -> Any:
        return await desk.unit_answer(found.protocol, text, actor)

    return await _act(desk, request, protocol, "resposta-unidade", run)


@post(f"{_BASE}/identidade", opt={"access": Access.REVEAL_IDENTITY}, include_in_schema=False)
async def identity(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: _Form,
) -> Template:
    """Shows the identity once, on this answer only; every view is in the audit log."""
    actor = current_actor(request)
    found = await visible(desk, actor, protocol, Access.REVEAL_IDENTITY)
    reason = text_of(data, "reason")
    if not reason:
        return await _render(
            desk, request, found.protocol, status_code=422, error="Informe o motivo."
        )
    citizen: Citizen | None = await desk.reveal_identity(found.protocol, actor, reason)
    shown = await _render(
        desk, request, found.protocol, identity=citizen or Citizen(), revealed=True
    )
    shown.headers["cache-control"] = "no-store"
    return shown


CASE_ROUTES = [
    case,
    reply,
    note,
    transition,
    complementation,
    extend,
    assign,
    merge,
    unit_answer,
    identity,
]
