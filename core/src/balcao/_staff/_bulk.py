"""Bulk actions from the inbox: assign or move several cases at once. Each case goes
through the access policy and the transition table on its own, and gets its own result line;
a case the caller may not see is answered exactly like a protocol that does not exist."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody
from litestar.response import Template

from balcao._access import Access
from balcao._desk import Desk, NotFound, TransitionRefused
from balcao._domain.lifecycle import IllegalTransition, State
from balcao._errors import Forbidden
from balcao._services.manifestations import InvalidManifestation
from balcao._staff._common import page, text_of
from balcao._types import Actor
from balcao._web.auth import current_actor
from balcao._web.params import InvalidParameter

__all__ = ["BULK_ROUTES", "MAX_ITEMS"]

MAX_ITEMS = 100
_Form = URLEncodedBody[dict[str, Any]]
_Step = Callable[[str], Awaitable[Any]]


class Outcome(msgspec.Struct, frozen=True):
    protocol: str
    done: bool
    message: str


def _protocols(form: dict[str, Any]) -> list[str]:
    raw = form.get("protocolo", [])
    values = raw if isinstance(raw, list) else [raw]
    chosen = [str(v).strip() for v in values if str(v).strip()]
    return list(dict.fromkeys(chosen))


async def _one(protocol: str, step: _Step, done: str) -> Outcome:
    try:
        await step(protocol)
    except NotFound:
        return Outcome(protocol, False, "não encontrada")
    except (Forbidden, PermissionError) as exc:
        return Outcome(protocol, False, f"não permitido: {exc}")
    except (IllegalTransition, TransitionRefused, InvalidManifestation, ValueError) as exc:
        return Outcome(protocol, False, str(exc))
    return Outcome(protocol, True, done)


async def _run(
    request: Request[Any, Any, Any], form: dict[str, Any], title: str, step: _Step, done: str
) -> Template:
    protocols = _protocols(form)
    back = text_of(form, "voltar")
    back = back if back.startswith("/staff") and "//" not in back else "/staff"
    if not protocols or len(protocols) > MAX_ITEMS:
        problem = f"Marque de 1 a {MAX_ITEMS} manifestações na lista."
        return page(request, "bulk.html", 422, title=title, outcomes=[], back=back, error=problem)
    outcomes = [await _one(p, step, done) for p in protocols]
    status = 200 if any(o.done for o in outcomes) else 422
    return page(request, "bulk.html", status, title=title, outcomes=outcomes, back=back)


def _assignee(raw: str) -> int | None:
    if raw and not raw.isdigit():
        raise InvalidParameter("responsavel: escolha um membro da ouvidoria da lista")
    return int(raw) if raw else None


@post("/staff/lote/atribuir", opt={"access": Access.ASSIGN}, include_in_schema=False)
async def bulk_assign(
    desk: NamedDependency[Desk], request: Request[Any, Any, Any], data: _Form
) -> Template:
    """Give every marked case to one staff member (or to nobody)."""
    actor: Actor = current_actor(request)
    user_id = _assignee(text_of(data, "responsavel"))

    async def step(protocol: str) -> Any:
        found = await desk.authorize(protocol, actor, Access.ASSIGN)
        return await desk.assign(found.protocol, user_id, actor)

    done = "responsável alterado" if user_id else "sem responsável"
    return await _run(request, data, "Atribuir em lote", step, done)


@post("/staff/lote/situacao", opt={"access": Access.TRANSITION}, include_in_schema=False)
async def bulk_transition(
    desk: NamedDependency[Desk], request: Request[Any, Any, Any], data: _Form
) -> Template:
    """Move every marked case to one state, each checked against the transition table."""
    actor: Actor = current_actor(request)
    raw, reason = text_of(data, "situacao"), text_of(data, "motivo")
    if raw not in {s.value for s in State}:
        raise InvalidParameter("situacao: escolha uma situação da lista")
    target = State(raw)

    async def step(protocol: str) -> Any:
        found = await desk.authorize(protocol, actor, Access.TRANSITION, target)
        return await desk.transition(found.protocol, target, actor, reason)

    return await _run(request, data, "Mudar situação em lote", step, f"agora “{target.label}”")


BULK_ROUTES = [bulk_assign, bulk_transition]
