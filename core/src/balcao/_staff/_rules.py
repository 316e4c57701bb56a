"""The routing rule book, as the ouvidoria's staff see it, and a dry run of a text."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from balcao._access import Access
from balcao._db.management import RuleVersionRow
from balcao._desk import Desk
from balcao._domain.kinds import Kind
from balcao._routing import stored
from balcao._routing.api import rule_book
from balcao._routing.dryrun import Example, explain
from balcao._staff._common import page

__all__ = ["RULE_ROUTES"]


async def _history(desk: Desk) -> list[RuleVersionRow]:
    async with desk.database.read() as session:
        return await stored.versions(session)


@get("/staff/regras", opt={"access": Access.RULES}, include_in_schema=False)
async def rules(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    kind: FromQuery[str] = "",
    channel: FromQuery[str] = "",
    texto: FromQuery[str] = "",
) -> Template:
    """Rules in evaluation order; with ``texto``, what they would decide (writing nothing)."""
    context: dict[str, Any] = {
        "rules": await rule_book(desk),
        "history": await _history(desk),
        "kinds": list(Kind),
        "channels": sorted(desk.channels),
        "kind": kind,
        "channel": channel,
        "texto": texto,
    }
    if texto.strip():
        chosen = Kind(kind) if kind in {k.value for k in Kind} else Kind.NAO_CLASSIFICADA
        example = Example(kind=chosen, channel=channel or "webform", text=texto)
        context["explanation"] = await explain(desk, example)
    return page(request, "rules.html", **context)


RULE_ROUTES = [rules]
