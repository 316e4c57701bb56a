"""The staff REST API under ``/api/v1`` (bearer tokens, roles declared per route)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlalchemy import select

from balcao._access import Access, may, redact, scoped, unit_timeline
from balcao._db.models import AuditEntry, UnitRow
from balcao._desk import Desk
from balcao._domain.lifecycle import State
from balcao._services import audit
from balcao._services.manifestations import load, to_view
from balcao._services.queries import Filters, Page, TimelineEntry, list_manifestations, timeline
from balcao._services.units import field_problem, tree_problems, unit_input
from balcao._types import Citizen, DeadlineView, Manifestation
from balcao._web.auth import current_actor, staff_guard
from balcao._web.openapi import error_responses
from balcao._web.params import MAX_PAGE
from balcao._web.routers import AppRouter

__all__ = ["api_router"]


class PluginInfo(msgspec.Struct, frozen=True):
    name: str
    distribution: str | None
    version: str | None
    status: str
    reason: str | None
    hooks: list[str]


class Action(msgspec.Struct, frozen=True):
    name: str
    title: str
    path: str
    method: str
    plugin: str


class Detail(msgspec.Struct, frozen=True, kw_only=True):
    manifestation: Manifestation
    deadlines: list[DeadlineView]
    timeline: list[TimelineEntry]
    actions: list[Action]


class MessageIn(msgspec.Struct, frozen=True):
    text: str
    internal: bool = False


class MessageOut(msgspec.Struct, frozen=True):
    id: int
    internal: bool


class TransitionIn(msgspec.Struct, frozen=True):
    to: State
    reason: str = ""


class ForwardIn(msgspec.Struct, frozen=True):
    unit: str
    text: str


class IdentityIn(msgspec.Struct, frozen=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class Unit(msgspec.Struct, frozen=True):
    code: str
    name: str
    email: str | None = None
    parent: str | None = None


class AuditOut(msgspec.Struct, frozen=True):
    at: dt.datetime
    actor: str
    action: str
    protocol: str | None
    detail: dict[str, Any]


async def _get(desk: Desk, request: Request[Any, Any, Any], protocol: str) -> Manifestation:
    """The case, through the access policy with the route's declared action."""
    action = request.route_handler.opt["access"]
    return await desk.authorize(protocol, current_actor(request), action)


@get(
    "/plugins",
    summary="Listar plugins",
    description=(
        "Os plugins instalados com distribuição, versão, ganchos implementados "
        "e situação (ativo, desativado, com falha e o motivo): a mesma lista de"
        " `balcao plugins`."
    ),
    opt={"access": Access.PLUGINS},
)
async def list_plugins(desk: NamedDependency[Desk]) -> list[PluginInfo]:
    """Installed plugins and their status (the same list as ``balcao plugins``)."""
    return [
        PluginInfo(r.name, r.distribution, r.version, r.status, r.reason, r.hooks)
        for r in desk.host.records.values()
    ]


@get(
    "/manifestations",
    summary="Listar manifestações",
    description=(
        "As manifestações visíveis a quem pergunta, das mais novas para as mais"
        " antigas. Filtros: `state`, `kind`, `channel`, `unit`, `q` (busca no "
        "texto), `overdue`. Paginação por `page` (a partir de 1) e `per_page` "
        "(1 a 100); a resposta traz `items`, `total`, `page` e `per_page`. Um "
        "membro de unidade vê só o que foi encaminhado à sua unidade, "
        "pseudonimizado."
    ),
    opt={"access": Access.LIST},
)
async def list_(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    state_filter: Annotated[str | None, QueryParameter(name="state")] = None,
    kind: FromQuery[str | None] = None,
    channel: FromQuery[str | None] = None,
    unit: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None,
    overdue: FromQuery[bool | None] = None,
    page: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 25,
) -> Page:
    """Manifestations, newest first, with filters and paging."""
    actor = current_actor(request)
    filters = Filters(
        state=state_filter,
        kind=kind,
        channel=channel,
        unit=unit,
        q=q,
        overdue=overdue,
        page=page,
        per_page=per_page,
    )
    async with desk.database.read() as session:
        found = await list_manifestations(session, scoped(actor, filters), desk.today())
    return msgspec.structs.replace(found, items=[redact(actor, m) for m in found.items])


@get(
    "/manifestations/{protocol:str}",
    summary="Consultar uma manifestação",
    description=(
        "A manifestação com linha do tempo, prazos, motivo do roteamento e as "
        "ações de plugins que o papel de quem pergunta pode usar. Nunca traz a "
        "identidade do cidadão (veja `POST .../identity`). Responde 404 também "
        "quando a manifestação não é visível a quem pergunta."
    ),
    opt={"access": Access.VIEW},
)
async def detail(
    desk: NamedDependency[Desk], request: Request[Any, Any, Any], protocol: FromPath[str]
) -> Detail:
    """One manifestation with its timeline, deadlines and routing reason; never the identity."""
    found = await _get(desk, request, protocol)
    async with desk.database.read() as session:
        row = await load(session, protocol)
        assert row is not None
        entries = await timeline(session, row.id)
    actor = current_actor(request)
    return Detail(
        manifestation=redact(actor, to_view(row)),
        deadlines=await desk.deadlines(found.protocol),
        timeline=unit_timeline(actor, entries),
        actions=_actions(request, found),
    )


def _actions(request: Request[Any, Any, Any], found: Manifestation) -> list[Action]:
    """Plugin actions (``balcao_register_actions``) the caller's role may use."""
    role = current_actor(request).role
    return [
        Action(
            a.spec.name,
            a.spec.title,
            a.spec.path.format(protocol=found.protocol),
            a.spec.method,
            a.plugin,
        )
        for a in request.app.state.runtime.actions
        if role in a.spec.roles
    ]


@post(
    "/manifestations/{protocol:str}/messages",
    summary="Responder ao cidadão ou anotar",
    description=(
        "Com `internal: false`, envia `text` ao cidadão pelo canal de origem; "
        "com `internal: true`, registra uma nota interna que o cidadão não vê. "
        "Um membro de unidade só escreve notas internas: a ouvidoria decide o "
        "que vai ao cidadão. Texto vazio: 400."
    ),
    opt={"access": Access.MESSAGE},
    status_code=201,
)
async def add_message(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: JSONBody[MessageIn],
) -> MessageOut:
    """Reply to the citizen, or add an internal note (``internal: true``). A unit member
    writes internal notes only: the ouvidoria decides what goes to the citizen."""
    actor = current_actor(request)
    found = await _get(desk, request, protocol)
    if not data.text.strip():
        raise ValidationException("o texto da mensagem está vazio")
    if data.internal or not may(actor, Access.REPLY, found):
        return MessageOut(await desk.note(found.protocol, data.text, actor), True)
    return MessageOut(await desk.reply(found.protocol, data.text, actor), False)


@post(
    "/manifestations/{protocol:str}/transitions",
    summary="Mudar a situação",
    description=(
        "Move a manifestação para o estado `to`, com o motivo `reason`, "
        "conferindo a tabela de transições e os vetos dos plugins; uma "
        "transição proibida ou vetada responde 409 com o motivo."
    ),
    opt={"access": Access.TRANSITION},
    status_code=200,
    responses=error_responses(409),
)
async def transition(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: JSONBody[TransitionIn],
) -> Manifestation:
    """Move the manifestation to another state (checked against the transition table)."""
    found = await _get(desk, request, protocol)
    return await desk.transition(found.protocol, data.to, current_actor(request), data.reason)


@post(
    "/manifestations/{protocol:str}/forward",
    summary="Encaminhar a uma unidade",
    description=(
        "Encaminha a manifestação à unidade `unit`; a unidade vê apenas `text` "
        "(o extrato), nunca a identidade. Denúncias e casos sigilosos só o "
        "ouvidor encaminha. Unidade desconhecida: 400."
    ),
    opt={"access": Access.FORWARD},
    status_code=200,
    responses=error_responses(409),
)
async def forward(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: JSONBody[ForwardIn],
) -> Manifestation:
    """Forward to a unit; the unit sees only ``text`` (the extract). Denúncias and
    confidential cases are forwarded by the ouvidor only."""
    found = await _get(desk, request, protocol)
    async with desk.database.read() as session:
        if await session.get(UnitRow, data.unit) is None:
            raise ValidationException(f"unidade desconhecida: {data.unit}")
    await desk.forward(found.protocol, data.unit, data.text, current_actor(request))
    return await desk.get(found.protocol)


@post(
    "/manifestations/{protocol:str}/identity",
    summary="Revelar a identidade do cidadão",
    description=(
        "Só o ouvidor: devolve a identidade do cidadão (ou nada, se anônima) e "
        "registra no log de auditoria quem viu, quando e o motivo `reason`, que"
        " é obrigatório. A resposta não é guardada em cache."
    ),
    opt={"access": Access.REVEAL_IDENTITY},
    status_code=200,
)
async def reveal(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: JSONBody[IdentityIn],
) -> Response[Citizen | None]:
    """The citizen's identity (ouvidor only); every view is written to the audit log."""
    if not data.reason.strip():
        raise ValidationException("informe o motivo para ver a identidade")
    citizen = await desk.reveal_identity(protocol, current_actor(request), data.reason)
    return Response(citizen, headers={"cache-control": "no-store"})


@get(
    "/units",
    summary="Listar unidades",
    description=(
        "O diretório de unidades (`code`, `name`, `email`, `parent`), em ordem de código."
    ),
    opt={"access": Access.UNITS_LIST},
)
async def list_units(desk: NamedDependency[Desk]) -> list[Unit]:
    async with desk.database.read() as session:
        rows = await session.scalars(select(UnitRow).order_by(UnitRow.code))
        return [Unit(r.code, r.name, r.email, r.parent_code) for r in rows]


@post(
    "/units",
    summary="Criar ou alterar uma unidade",
    description=(
        "Só o ouvidor: cria a unidade `code` ou altera nome, e-mail e unidade "
        "superior. 422 diz o que está errado (código vazio ou malformado, "
        "superior inexistente, unidade acima de si mesma). Registrado no log de"
        " auditoria."
    ),
    opt={"access": Access.UNITS_EDIT},
    status_code=201,
    responses=error_responses(422),
)
async def save_unit(
    desk: NamedDependency[Desk], request: Request[Any, Any, Any], data: JSONBody[Unit]
) -> Unit:
    """Create or update a unit of the directory; 422 names what is wrong (an empty or
    malformed code, a superior that does not exist, a unit above itself)."""
    code, name, email, parent = unit = unit_input(data.code, data.name, data.email, data.parent)
    async with desk.database.write() as session:
        problem = field_problem(unit, "unidade")
        problems = [problem] if problem else await tree_problems(session, [unit])
        if problems:
            raise HTTPException(status_code=422, detail="; ".join(problems))
        row = await session.get(UnitRow, code) or UnitRow(code=code)
        row.name, row.email, row.parent_code = name, email, parent
        session.add(row)
        audit.record(session, desk.now(), current_actor(request), "unit_saved", None, code=code)
    return Unit(code, name, email, parent)


@get(
    "/audit",
    summary="Consultar o log de auditoria",
    description=(
        "As entradas do log de auditoria, das mais novas para as mais antigas, "
        "com filtros `protocol`, `actor` e `action`; `limit` (1 a 1000, padrão "
        "100) limita quantas vêm."
    ),
    opt={"access": Access.AUDIT},
)
async def audit_log(
    desk: NamedDependency[Desk],
    protocol: FromQuery[str | None] = None,
    actor: FromQuery[str | None] = None,
    action: FromQuery[str | None] = None,
    limit: FromQuery[int] = 100,
) -> list[AuditOut]:
    """The audit log, newest first."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(min(max(limit, 1), 1000))
    for column, value in (
        (AuditEntry.protocol, protocol),
        (AuditEntry.actor, actor),
        (AuditEntry.action, action),
    ):
        if value:
            query = query.where(column == value)
    async with desk.database.read() as session:
        return [
            AuditOut(e.at, e.actor, e.action, e.protocol, e.detail)
            for e in await session.scalars(query)
        ]


def api_router() -> AppRouter:
    return AppRouter(
        path="/api/v1",
        guards=[staff_guard],
        tags=["equipe"],
        route_handlers=[
            list_plugins,
            list_,
            detail,
            add_message,
            transition,
            forward,
            reveal,
            list_units,
            save_unit,
            audit_log,
        ],
    )
