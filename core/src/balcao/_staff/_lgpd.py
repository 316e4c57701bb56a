"""LGPD: export everything held about a citizen, or anonymise them (ouvidor only, logged)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from balcao._access import Access
from balcao._desk import Desk
from balcao._staff._common import page, text_of, visible
from balcao._web.auth import current_actor

__all__ = ["LGPD_ROUTES"]

_PATH = "/staff/manifestacoes/{protocol:str}/lgpd"
_Form = URLEncodedBody[dict[str, Any]]


@get(_PATH, opt={"access": Access.LGPD}, include_in_schema=False)
async def lgpd_page(
    desk: NamedDependency[Desk], request: Request[Any, Any, Any], protocol: FromPath[str]
) -> Template:
    found = await visible(desk, current_actor(request), protocol, Access.LGPD)
    return page(request, "lgpd.html", m=found, cases=await desk.citizen_cases(found.protocol))


@post(f"{_PATH}/exportar", opt={"access": Access.LGPD}, include_in_schema=False)
async def lgpd_export(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: _Form,
) -> Response[bytes] | Template:
    actor = current_actor(request)
    found = await visible(desk, actor, protocol, Access.LGPD)
    reason = text_of(data, "reason")
    if not reason:
        cases = await desk.citizen_cases(found.protocol)
        return page(request, "lgpd.html", 422, m=found, cases=cases, error="Informe o motivo.")
    exported = await desk.export_citizen(found.protocol, actor, reason)
    return Response(
        msgspec.json.format(msgspec.json.encode(exported), indent=2),
        media_type="application/json",
        headers={
            "content-disposition": f'attachment; filename="dados-{found.protocol}.json"',
            "cache-control": "no-store",
        },
    )


@post(f"{_PATH}/anonimizar", opt={"access": Access.LGPD}, include_in_schema=False)
async def lgpd_anonymise(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: _Form,
) -> Redirect | Template:
    actor = current_actor(request)
    found = await visible(desk, actor, protocol, Access.LGPD)
    reason = text_of(data, "reason")
    if not reason or not text_of(data, "confirm"):
        cases = await desk.citizen_cases(found.protocol)
        error = "Informe o motivo e confirme: a anonimização não pode ser desfeita."
        return page(request, "lgpd.html", 422, m=found, cases=cases, error=error)
    await desk.anonymise_citizen(found.protocol, actor, reason)
    return Redirect(f"/staff/manifestacoes/{found.protocol}?ok=anonimizada", status_code=303)


LGPD_ROUTES = [lgpd_page, lgpd_export, lgpd_anonymise]
