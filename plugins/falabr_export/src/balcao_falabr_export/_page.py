"""The staff page behind the "Registrar no Fala.BR" action (HTML forms, CSRF-protected)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from balcao import Access, Actor, PluginDesk, current_actor
from balcao_falabr_export._api_mode import AlreadyRegistered, NotConfigured, register_via_api
from balcao_falabr_export._config import FalabrConfig
from balcao_falabr_export._manual import (
    NoReturnChannel,
    NupConflict,
    Prepared,
    prepare,
    record_nup,
    send_to_citizen,
)
from balcao_falabr_export._nup import InvalidNup
from balcao_falabr_export._store import Busy, fetch, view

__all__ = ["PAGE_ROUTES"]

_TEMPLATE = "falabr_export/manifestation.html"


class PageForm(msgspec.Struct, frozen=True):
    action: str = ""
    nup: str = ""


async def _render(
    desk: PluginDesk, protocol: str, message: str = "", prepared: Prepared | None = None
) -> Template:
    row = await fetch(desk, protocol)
    context = {
        "protocol": protocol,
        "registration": view(row) if row is not None else None,
        "prepared": prepared,
        "message": message,
    }
    return Template(template_name=_TEMPLATE, context=context)


async def _via_api(desk: PluginDesk, config: FalabrConfig, protocol: str, actor: Actor) -> str:
    try:
        await register_via_api(desk, config, protocol, actor.label)
    except NotConfigured as exc:
        return f"Registro pela API indisponível: {exc}"
    except Busy:
        return "Já há um envio em andamento; aguarde."
    except AlreadyRegistered:
        return "Esta manifestação já está registrada no Fala.BR."
    row = await fetch(desk, protocol)
    assert row is not None
    return {
        "registered": "Registrada no Fala.BR.",
        "rejected": f"O Fala.BR recusou: {row.last_error}",
    }.get(row.state, f"Fala.BR indisponível; nova tentativa agendada ({row.last_error}).")


async def _act(
    desk: PluginDesk, config: FalabrConfig, protocol: str, actor: Actor, form: PageForm
) -> tuple[str, Prepared | None]:
    if form.action == "api":
        return await _via_api(desk, config, protocol, actor), None
    if form.action == "staff":
        return "Texto preparado.", await prepare(desk, config, protocol, actor)
    if form.action == "citizen":
        try:
            await send_to_citizen(desk, config, protocol, actor)
        except NoReturnChannel:
            return "Manifestação anônima: não há canal para enviar o link.", None
        return "Link e texto enviados ao cidadão.", None
    if form.action == "nup":
        try:
            await record_nup(desk, config, protocol, form.nup, actor)
        except (InvalidNup, NupConflict) as exc:
            return str(exc) or "Esta manifestação já tem outro NUP.", None
        return "NUP registrado.", None
    return "Escolha uma das opções.", None


@get(
    "/manifestations/{protocol:str}/page",
    opt={"access": Access.EXPORT_WRITE},
    include_in_schema=False,
)
async def page(
    desk: NamedDependency[PluginDesk], request: Request[Any, Any, Any], protocol: FromPath[str]
) -> Template:
    """The handover page: situação, the three ways to register and the NUP field."""
    found = await desk.authorize(protocol, current_actor(request), Access.EXPORT_WRITE)
    return await _render(desk, found.protocol)


@post(
    "/manifestations/{protocol:str}/page",
    opt={"access": Access.EXPORT_WRITE},
    include_in_schema=False,
    status_code=200,
)
async def page_action(
    desk: NamedDependency[PluginDesk],
    config: NamedDependency[FalabrConfig],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: URLEncodedBody[PageForm],
) -> Template:
    actor = current_actor(request)
    protocol = (await desk.authorize(protocol, actor, Access.EXPORT_WRITE)).protocol
    message, prepared = await _act(desk, config, protocol, actor, data)
    return await _render(desk, protocol, message, prepared)


PAGE_ROUTES = [page, page_action]
