"""Forwarding to a unit. For a denúncia the unit gets a pseudonymized extract: identifiers
are found and replaced beforehand, and the ouvidor confirms or edits the text.

Only those who may see the identity (the ouvidor) get the citizen's name matched against
the text: for anyone else the check looks for e-mails, CPFs and numbers only, so that its
answer is the same whatever names the text holds (it must not tell them the identity)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy import select

from balcao._access import Access, may
from balcao._db.models import UnitRow
from balcao._desk import Desk
from balcao._domain.extract import find_identifiers, pseudonymize
from balcao._domain.lifecycle import IllegalTransition
from balcao._services import audit, identity
from balcao._services.manifestations import load
from balcao._staff._common import page, text_of, visible
from balcao._types import Actor, Manifestation
from balcao._web.auth import current_actor

__all__ = ["FORWARD_ROUTES"]

_PATH = "/staff/manifestacoes/{protocol:str}/encaminhar"


async def _citizen_name(desk: Desk, actor: Actor, protocol: str) -> str | None:
    """Used only to find the name in the text, and only for those who may see it."""
    if not may(actor, Access.REVEAL_IDENTITY):
        return None
    async with desk.database.read() as session:
        row = await load(session, protocol)
        sealed = identity.unseal(desk.keys, row.identity if row else None)
    return sealed.citizen.name if sealed.citizen else None


async def _units(desk: Desk) -> list[UnitRow]:
    async with desk.database.read() as session:
        return list(await session.scalars(select(UnitRow).order_by(UnitRow.code)))


def _sensitive(found: Manifestation) -> bool:
    return found.kind.whistleblowing or found.confidential


async def _form(
    desk: Desk,
    request: Request[Any, Any, Any],
    found: Manifestation,
    text: str,
    unit: str = "",
    status_code: int = 200,
    error: str | None = None,
) -> Template:
    name = await _citizen_name(desk, current_actor(request), found.protocol)
    return page(
        request,
        "forward.html",
        status_code=status_code,
        m=found,
        text=text,
        unit=unit or found.unit_code or "",
        units=await _units(desk),
        findings=find_identifiers(text, name),
        sensitive=_sensitive(found),
        error=error,
    )


@get(_PATH, opt={"access": Access.FORWARD}, include_in_schema=False)
async def forward_form(
    desk: NamedDependency[Desk], request: Request[Any, Any, Any], protocol: FromPath[str]
) -> Template:
    """The extract to send: for a denúncia already pseudonymized, for review."""
    actor = current_actor(request)
    found = await visible(desk, actor, protocol, Access.FORWARD)
    text = found.description
    if _sensitive(found):
        name = await _citizen_name(desk, actor, found.protocol)
        text = pseudonymize(text, name, found.pseudonym)
        await _log_precheck(desk, actor, found.protocol)
    return await _form(desk, request, found, text)


async def _log_precheck(desk: Desk, actor: Actor, protocol: str) -> None:
    async with desk.database.write() as session:
        audit.record(session, desk.now(), actor, "extract_prechecked", protocol)


@post(_PATH, opt={"access": Access.FORWARD}, include_in_schema=False)
async def forward(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    data: URLEncodedBody[dict[str, Any]],
) -> Template | Redirect:
    """Forward with the extract; a denúncia's extract is checked again on the server and
    goes only when the attendant confirmed what is left."""
    actor = current_actor(request)
    found = await visible(desk, actor, protocol, Access.FORWARD)
    text, unit = text_of(data, "text"), text_of(data, "unit")
    problem = await _problem(desk, actor, found, text, unit, bool(text_of(data, "confirm")))
    if problem:
        return await _form(desk, request, found, text, unit, 422, problem)
    try:
        await desk.forward(found.protocol, unit, text, actor)
    except IllegalTransition as exc:
        return await _form(desk, request, found, text, unit, 409, str(exc))
    return Redirect(f"/staff/manifestacoes/{found.protocol}?ok=encaminhada", status_code=303)


async def _problem(
    desk: Desk, actor: Actor, found: Manifestation, text: str, unit: str, confirmed: bool
) -> str | None:
    if not text:
        return "Escreva o extrato que a unidade vai receber."
    if unit not in {u.code for u in await _units(desk)}:
        return "Escolha uma unidade do diretório."
    if not _sensitive(found):
        return None
    left = find_identifiers(text, await _citizen_name(desk, actor, found.protocol))
    await _log_precheck(desk, actor, found.protocol)  # the name was matched: recorded
    if left and not confirmed:
        kinds = ", ".join(sorted({f.label for f in left}))
        return (
            f"O extrato ainda contém possíveis dados de identificação ({kinds}). "
            "Edite o texto ou confirme que revisou."
        )
    if not confirmed:
        return "Confirme que revisou o extrato pseudonimizado antes de encaminhar."
    return None


FORWARD_ROUTES = [forward_form, forward]
