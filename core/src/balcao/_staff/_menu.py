"""The staff navigation: one list of entries, each behind the access it needs, and the count
of overdue cases beside the inbox. The staff layout asks :func:`staff_menu` itself, so a
page (a plugin's too) that extends ``balcao/staff/layout.html`` gets the same menu."""

from __future__ import annotations

from typing import Any, NamedTuple

from litestar import Request

from balcao._access import Access, role_may, scoped
from balcao._services.queries import COUNT_CAP, Filters, count_upto
from balcao._types import Actor

__all__ = ["NAV", "ROLE_LABELS", "NavEntry", "count_overdue", "staff_menu"]


class NavEntry(NamedTuple):
    label: str
    url: str
    access: Access


# Add a page here (label, address, the access its GET route declares): one list for every page.
NAV: list[NavEntry] = [
    NavEntry("Caixa de entrada", "/staff", Access.LIST),
    NavEntry("Unidades", "/staff/unidades", Access.UNITS_PAGE),
    NavEntry("Relatórios", "/staff/relatorios", Access.REPORTS),
    NavEntry("Relatório de gestão", "/staff/relatorio-anual", Access.ANNUAL_REPORT),
    NavEntry("Regras", "/staff/regras", Access.RULES),
    NavEntry("Usuários", "/staff/usuarios", Access.USERS),
    NavEntry("Auditoria", "/staff/auditoria", Access.AUDIT),
    NavEntry("Minha conta", "/staff/conta", Access.ACCOUNT),
]
ROLE_LABELS = {
    "ouvidor": "Ouvidor(a)",
    "atendente": "Atendente",
    "unidade": "Unidade",
    "auditor": "Auditor(a)",
}
_OVERDUE = "balcao_overdue"


def _actor(request: Request[Any, Any, Any]) -> Actor | None:
    actor = request.scope.get("balcao_actor")
    return actor if isinstance(actor, Actor) else None


async def count_overdue(request: Request[Any, Any, Any]) -> None:
    """Before a staff page: how many cases with a deadline past are in what the caller may
    list (the inbox's "Atrasadas" under the same scope, so a unit counts only its own), up to
    the inbox's cap: past it the badge says "mais de"."""
    actor = _actor(request)
    if actor is None or request.method != "GET" or request.url.path.startswith("/api/"):
        return
    desk = request.app.state.desk
    filters = scoped(actor, Filters(overdue=True))
    async with desk.database.read() as session:
        count = await count_upto(session, filters, desk.today())
    request.scope[_OVERDUE] = count  # type: ignore[literal-required]


def staff_menu(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """What the layout shows: who is logged in, the entries the role may use, the count."""
    actor = _actor(request)
    role = actor.role if actor else None
    return {
        "me": actor,
        "role_label": ROLE_LABELS.get(role or "", ""),
        "entries": [e for e in NAV if role_may(role, e.access)],
        "overdue": request.scope.get(_OVERDUE),
        "cap": COUNT_CAP,
        "path": request.url.path,
    }
