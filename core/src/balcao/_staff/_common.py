"""What every staff page shares: roles, rendering, form parsing, visibility."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template

from balcao._desk import Desk, NotFound
from balcao._domain.kinds import Kind
from balcao._domain.lifecycle import State
from balcao._types import Actor, Manifestation
from balcao._web.auth import ALL_STAFF, READERS, WRITERS, current_actor

__all__ = [
    "ALL_STAFF",
    "OUVIDOR",
    "READERS",
    "WRITERS",
    "can_see",
    "page",
    "visible",
]

OUVIDOR = frozenset({"ouvidor"})
_REPORTERS = frozenset({"ouvidor", "atendente", "auditor"})
_NAV = (
    ("Caixa de entrada", "/staff", ALL_STAFF),
    ("Unidades", "/staff/unidades", WRITERS),
    ("Relatórios", "/staff/relatorios", frozenset({"ouvidor", "atendente", "auditor"})),
    (
        "Relatório de gestão",
        "/staff/relatorio-anual",
        frozenset({"ouvidor", "atendente", "auditor"}),
    ),
    ("Regras", "/staff/regras", frozenset({"ouvidor", "atendente", "auditor"})),
    ("Auditoria", "/staff/auditoria", READERS),
    ("Minha conta", "/staff/conta", ALL_STAFF),
)
ROLE_LABELS = {
    "ouvidor": "Ouvidor(a)",
    "atendente": "Atendente",
    "unidade": "Unidade",
    "auditor": "Auditor(a)",
}


def can_see(actor: Actor, found: Manifestation) -> bool:
    """A unit member sees only what was forwarded to the unit."""
    return actor.role != "unidade" or (
        found.unit_code is not None and found.unit_code == actor.unit_code
    )


async def visible(desk: Desk, actor: Actor, protocol: str) -> Manifestation:
    """The manifestation, or 404 when the caller may not see it (no existence leak)."""
    found = await desk.get(protocol)
    if not can_see(actor, found):
        raise NotFound(f"manifestação {protocol} não encontrada")
    return found


def page(
    request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any
) -> Template:
    actor = current_actor(request)
    nav = [(label, url) for label, url, roles in _NAV if actor.role in roles]
    channels = request.app.state.desk.channels
    return Template(
        f"balcao/staff/{template}",
        context={
            "me": actor,
            "role_label": ROLE_LABELS.get(actor.role or "", ""),
            "nav": nav,
            "path": request.url.path,
            "kinds": list(Kind),
            "states": list(State),
            "state_labels": {s.value: s.label for s in State},
            "channel_titles": {name: c.spec.title for name, c in channels.items()},
            **context,
        },
        status_code=status_code,
    )


def text_of(form: dict[str, Any], name: str) -> str:
    value = form.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()
