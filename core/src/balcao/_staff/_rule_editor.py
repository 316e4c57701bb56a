"""Editing the routing rules kept in the database (the ouvidor): every save is a new
version, preceded by a dry run against the latest manifestations; old versions are listed
and can be loaded back into the editor to be saved again."""

from __future__ import annotations

import hashlib
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.exc import IntegrityError

from balcao._access import Access
from balcao._db.management import RuleVersionRow
from balcao._desk import Desk
from balcao._errors import NotFound
from balcao._routing import stored
from balcao._routing.replay import LATEST, replay
from balcao._staff._common import page, text_of
from balcao._web.auth import current_actor

__all__ = ["RULE_EDITOR_ROUTES"]

_EDIT = {"access": Access.RULES_EDIT}
_EXAMPLE = """# Mesmo formato do balcao.toml: um bloco por regra.
# [[routing.rules]]
# name = "restaurante-universitario"
# priority = 10
# when.kinds = ["reclamacao", "sugestao"]
# when.words_any = ["restaurante universitário", "RU", "refeição"]
# then.forward_to = "PRAE"
"""


def _digest(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()


async def _version(desk: Desk, number: int) -> RuleVersionRow | None:
    async with desk.database.read() as session:
        return await session.get(RuleVersionRow, number)


async def _editor(
    desk: Desk, request: Request[Any, Any, Any], status: int = 200, **context: Any
) -> Template:
    async with desk.database.read() as session:
        history = await stored.versions(session)
    context.setdefault("source", history[0].source if history else _EXAMPLE)
    return page(request, "rule_editor.html", status, history=history, latest=LATEST, **context)


@get("/staff/regras/editar", opt=_EDIT, include_in_schema=False)
async def editor(
    desk: NamedDependency[Desk], request: Request[Any, Any, Any], versao: FromQuery[int] = 0
) -> Template:
    """The newest version in the editor, or an older one (``versao``) to restore."""
    if not versao:
        return await _editor(desk, request)
    old = await _version(desk, versao)
    if old is None:
        raise NotFound(f"versão {versao} das regras não encontrada")
    return await _editor(desk, request, source=old.source, restored_from=versao)


@post("/staff/regras/editar", opt=_EDIT, include_in_schema=False)
async def save(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    data: URLEncodedBody[dict[str, Any]],
) -> Template | Redirect:
    """Check the rules; show the dry run; save only the text that was tried."""
    source = str(data.get("source", "")).replace("\r\n", "\n")
    restored = int(text_of(data, "restored_from") or 0) or None
    note = text_of(data, "note")
    keep: dict[str, Any] = {"source": source, "note": note, "restored_from": restored}
    try:
        candidate = stored.compile_source(source, desk.calendar, desk.rules)
    except stored.RuleSourceError as exc:
        return await _editor(desk, request, 422, error=f"Regras não salvas: {exc}", **keep)
    if text_of(data, "tested") != _digest(source):
        trial = replay(desk, stored.combine(desk, candidate))
        return await _editor(desk, request, trial=await trial, tested=_digest(source), **keep)
    try:
        async with desk.database.write() as session:
            number = await stored.save_version(
                session,
                desk.now(),
                current_actor(request),
                source,
                note=note,
                restored_from=restored,
            )
    except IntegrityError:
        message = "Outra versão foi salva ao mesmo tempo. Teste de novo e salve."
        return await _editor(desk, request, 409, error=message, **keep)
    return Redirect(f"/staff/regras?salva={number}", status_code=303)


@get("/staff/regras/versoes/{version:int}", opt={"access": Access.RULES}, include_in_schema=False)
async def version_page(
    desk: NamedDependency[Desk], request: Request[Any, Any, Any], version: FromPath[int]
) -> Template:
    found = await _version(desk, version)
    if found is None:
        raise NotFound(f"versão {version} das regras não encontrada")
    return page(request, "rule_version.html", version=found)


RULE_EDITOR_ROUTES = [editor, save, version_page]
