"""Staff routes under ``/exports/falabr_export`` (behind the core's bearer-token guard)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Stream

from balcao import (
    Access,
    InvalidParameter,
    PluginDesk,
    current_actor,
    error_responses,
    may,
    parse_date,
)
from balcao_falabr_export._api_mode import AlreadyRegistered, NotConfigured, register_via_api
from balcao_falabr_export._config import ENCODINGS, FalabrConfig
from balcao_falabr_export._manual import (
    NoReturnChannel,
    NupConflict,
    prepare,
    record_nup,
    send_to_citizen,
)
from balcao_falabr_export._models import ACCESS_CODE
from balcao_falabr_export._nup import InvalidNup
from balcao_falabr_export._query import Period
from balcao_falabr_export._store import Busy, RegistrationView, fetch, view
from balcao_falabr_export._streams import Format, export_stream, file_name

__all__ = ["ROUTES"]

_JSON_OPT: dict[str, Any] = {"exclude_from_csrf": True}


_HANDED_OVER = {
    201: ResponseSpec(RegistrationView, description="Registrada no Fala.BR (modo api)"),
    202: ResponseSpec(RegistrationView, description="Enviada; o Fala.BR ainda vai responder"),
}


class RegisterIn(msgspec.Struct, frozen=True):
    mode: Literal["api", "staff", "citizen"]


class NupIn(msgspec.Struct, frozen=True):
    nup: str
    access_code: str | None = None


def _error(status: int, detail: str) -> HTTPException:
    return HTTPException(status_code=status, detail=detail)


async def _view(desk: PluginDesk, protocol: str, reveal_code: bool = False) -> RegistrationView:
    row = await fetch(desk, protocol)
    if row is None:
        raise NotFoundException(f"a manifestação {protocol} ainda não foi enviada ao Fala.BR")
    code = None
    if reveal_code and row.access_code_sealed:
        code = desk.sealer(ACCESS_CODE.purpose).open_text(row.access_code_sealed, row.protocol)
    return view(row, code)


async def _api(desk: PluginDesk, config: FalabrConfig, protocol: str, actor: str) -> Response[Any]:
    try:
        await register_via_api(desk, config, protocol, actor)
    except NotConfigured as exc:
        raise _error(409, f"registro pela API indisponível: {exc}") from exc
    except Busy as exc:
        raise _error(409, f"já há um envio de {protocol} ao Fala.BR em andamento") from exc
    except AlreadyRegistered:
        return Response(await _view(desk, protocol), status_code=200)
    current = await _view(desk, protocol)
    if current.state == "rejected":
        raise _error(422, current.last_error or "Fala.BR recusou o registro")
    return Response(current, status_code=201 if current.state == "registered" else 202)


@post(
    "/manifestations/{protocol:str}/register",
    summary="Registrar no Fala.BR",
    description=(
        "Entrega a manifestação ao Fala.BR conforme `mode`: `api` envia pela "
        "API, `staff` devolve o texto para a equipe colar, `citizen` envia ao "
        "cidadão o link e o texto."
    ),
    opt={"access": Access.EXPORT_WRITE, **_JSON_OPT},
    status_code=200,
    responses={**_HANDED_OVER, **error_responses(409, 422)},
)
async def register(
    desk: NamedDependency[PluginDesk],
    config: NamedDependency[FalabrConfig],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: JSONBody[RegisterIn],
) -> Response[Any]:
    """Hand a manifestation over to Fala.BR: ``api`` sends it, ``staff`` gives the text to
    paste, ``citizen`` sends the citizen the link and the text."""
    actor = current_actor(request)
    protocol = (await desk.authorize(protocol, actor, Access.EXPORT_WRITE)).protocol
    if data.mode == "api":
        return await _api(desk, config, protocol, actor.label)
    if data.mode == "staff":
        return Response(await prepare(desk, config, protocol, actor))
    try:
        await send_to_citizen(desk, config, protocol, actor)
    except NoReturnChannel as exc:
        raise _error(409, "manifestação anônima: não há canal para enviar o link") from exc
    return Response(await _view(desk, protocol), status_code=202)


@get(
    "/manifestations/{protocol:str}",
    summary="Situação no Fala.BR",
    description=("O estado da entrega, o NUP, a situação e o prazo da manifestação no Fala.BR."),
    opt={"access": Access.EXPORT_READ},
)
async def status(
    desk: NamedDependency[PluginDesk], request: Request[Any, Any, Any], protocol: FromPath[str]
) -> RegistrationView:
    """The handover's state, NUP, situação and deadline on Fala.BR."""
    actor = current_actor(request)
    protocol = (await desk.authorize(protocol, actor, Access.EXPORT_READ)).protocol
    return await _view(desk, protocol, reveal_code=may(actor, Access.REVEAL_IDENTITY))


@post(
    "/manifestations/{protocol:str}/nup",
    summary="Informar o NUP",
    description=(
        "Registra o NUP de uma manifestação cadastrada à mão no Fala.BR (pela "
        "equipe ou pelo cidadão)."
    ),
    opt={"access": Access.EXPORT_WRITE, **_JSON_OPT},
    status_code=200,
    responses=error_responses(409, 422),
)
async def set_nup(
    desk: NamedDependency[PluginDesk],
    config: NamedDependency[FalabrConfig],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: JSONBody[NupIn],
) -> RegistrationView:
    """Record the NUP of a manifestation registered by hand (staff or citizen)."""
    actor = current_actor(request)
    protocol = (await desk.authorize(protocol, actor, Access.EXPORT_WRITE)).protocol
    try:
        await record_nup(desk, config, protocol, data.nup, actor, data.access_code)
    except InvalidNup as exc:
        raise _error(422, str(exc)) from exc
    except NupConflict as exc:
        raise _error(409, f"a manifestação {protocol} já tem outro NUP registrado") from exc
    return await _view(desk, protocol)


def _period(desk: PluginDesk, start: str, end: str) -> Period:
    try:
        first, last = parse_date(start, "from"), parse_date(end, "to")
    except InvalidParameter as exc:
        raise _error(422, str(exc)) from exc
    if first is None or last is None:
        raise _error(422, "informe 'from' e 'to' no formato AAAA-MM-DD")
    if last < first:
        raise _error(422, "'to' deve ser igual ou posterior a 'from'")
    return Period(first, last, desk.calendar.timezone)


@get(
    "/report",
    summary="Exportar para o Fala.BR",
    description=(
        "Baixa o CSV no Layout B (sem identidade nem texto livre) ou o JSON no "
        "formato da carga, para o período de `from` a `to`."
    ),
    opt={"access": Access.EXPORT_READ},
    responses=error_responses(422),
)
async def report(
    desk: NamedDependency[PluginDesk],
    config: NamedDependency[FalabrConfig],
    start: Annotated[str, QueryParameter(name="from")],
    end: Annotated[str, QueryParameter(name="to")],
    fmt: Annotated[str, QueryParameter(name="format")] = "csv",
    encoding: FromQuery[str] = "utf-8",
) -> Stream:
    """Download the Layout B CSV (no identity, no free text) or the payload-shaped JSON."""
    period = _period(desk, start, end)
    if fmt not in ("csv", "json"):
        raise _error(422, "format deve ser 'csv' ou 'json'")
    if encoding not in ENCODINGS:
        raise _error(422, "encoding deve ser 'utf-8' ou 'latin-1'")
    chosen: Format = "csv" if fmt == "csv" else "json"
    media = f"text/csv; charset={encoding}" if chosen == "csv" else "application/json"
    body = export_stream(desk.read_model, period, chosen, config, desk.today(), encoding)
    disposition = f'attachment; filename="{file_name(period, chosen)}"'
    return Stream(body, media_type=media, headers={"Content-Disposition": disposition})


ROUTES = [register, status, set_nup, report]
