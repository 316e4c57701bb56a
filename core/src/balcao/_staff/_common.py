"""What every staff page shares: navigation, rendering, form parsing, visibility."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template

from balcao._access import Access, role_may
from balcao._desk import Desk
from balcao._domain.kinds import Kind
from balcao._domain.lifecycle import State
from balcao._staff._menu import ROLE_LABELS
from balcao._types import Actor, Manifestation
from balcao._web.auth import current_actor

__all__ = ["ROLE_LABELS", "page", "text_of", "visible"]


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
    channels = request.app.state.desk.channels
    return Template(
        f"balcao/staff/{template}",
        context={
            "me": actor,
            "role_label": ROLE_LABELS.get(actor.role or "", ""),
            "allowed": {a.value for a in Access if role_may(actor.role, a)},
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
