"""What every staff page shares: navigation, rendering, form parsing, visibility."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template

from balcao._access import Access, role_may
from balcao._desk import Desk
from balcao._domain.kinds import Kind
from balcao._domain.lifecycle import State
from balcao._types import Actor, Manifestation
from balcao._web.auth import current_actor

__all__ = ["ROLE_LABELS", "page", "text_of", "visible"]

_NAV = (
    ("Caixa de entrada", "/staff", Access.LIST),
    ("Unidades", "/staff/unidades", Access.UNITS_PAGE),
    ("Relatórios", "/staff/relatorios", Access.REPORTS),
    ("Relatório de gestão", "/staff/relatorio-anual", Access.ANNUAL_REPORT),
    ("Regras", "/staff/regras", Access.RULES),
    ("Usuários", "/staff/usuarios", Access.USERS),
    ("Auditoria", "/staff/auditoria", Access.AUDIT),
    ("Minha conta", "/staff/conta", Access.ACCOUNT),
)
ROLE_LABELS = {
    "ouvidor": "Ouvidor(a)",
    "atendente": "Atendente",
    "unidade": "Unidade",
    "auditor": "Auditor(a)",
}


async def visible(
    desk: Desk, actor: Actor, protocol: str, action: Access = Access.VIEW
) -> Manifestation:
    """The manifestation, or 404 when the caller may not see it (no existence leak), 403
    when the access policy refuses ``action``."""
    return await desk.authorize(protocol, actor, action)


def page(
    request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any
) -> Template:
    actor = current_actor(request)
    nav = [(label, url) for label, url, action in _NAV if role_may(actor.role, action)]
    channels = request.app.state.desk.channels
    return Template(
        f"balcao/staff/{template}",
        context={
            "me": actor,
            "role_label": ROLE_LABELS.get(actor.role or "", ""),
            "allowed": {a.value for a in Access if role_may(actor.role, a)},
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
