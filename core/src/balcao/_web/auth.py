"""Staff authentication by bearer token (or staff session cookie) and the access guard: every
staff route declares what it does in ``opt={"access": Access...}`` and the access policy
(``balcao._access``) says which roles may; a route without that declaration is closed to
everyone. A change made with the cookie must prove it comes from our own pages
(``_web/csrf.py``)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from balcao._access import role_may
from balcao._desk import Desk
from balcao._services.users import actor_for_token
from balcao._types import Actor
from balcao._web.csrf import check_cookie_change

__all__ = ["current_actor", "staff_guard"]


async def _bearer_actor(connection: ASGIConnection[Any, Any, Any, Any], desk: Desk) -> Actor | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    async with desk.database.read() as session:
        return await actor_for_token(session, desk.keys, token.strip())


async def _cookie_actor(connection: ASGIConnection[Any, Any, Any, Any], desk: Desk) -> Actor | None:
    # Imported here: the staff web interface builds on this module.
    from balcao._staff._sessions import session_actor

    actor = await session_actor(connection, desk)
    if actor is not None:
        await check_cookie_change(connection)
    return actor


async def staff_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """The Litestar guard of staff routes: authenticates by bearer token or staff session and asks
    the access policy for the route's declared ``opt={"access": ...}``; 401 or 403 otherwise."""
    action = handler.opt.get("access")
    desk: Desk = connection.app.state.desk
    actor: Actor | None = connection.scope.get("balcao_actor")  # type: ignore[assignment]
    actor = actor or await _bearer_actor(connection, desk) or await _cookie_actor(connection, desk)
    if actor is None:
        raise NotAuthorizedException(
            "autenticação necessária: envie 'Authorization: Bearer <token>'"
        )
    if action is None or not role_may(actor.role, action):
        raise PermissionDeniedException("seu papel não permite esta ação")
    connection.scope["balcao_actor"] = actor  # type: ignore[typeddict-unknown-key]


def current_actor(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    """The authenticated staff member (after :func:`staff_guard`)."""
    actor: Actor = connection.scope["balcao_actor"]  # type: ignore[typeddict-item]
    return actor
