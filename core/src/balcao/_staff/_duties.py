"""What an account must do before anything else: choose its own password after a reset,
enrol the second factor when the ouvidor requires it. Pages marked ``duty_free`` (the
account pages where this is done) stay open; every other staff page redirects there."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect

from balcao._desk import Desk
from balcao._staff._sessions import totp_enabled
from balcao._web.auth import current_actor

__all__ = ["DUTY_FREE", "DutyPending", "duties_guard", "to_duty"]

DUTY_FREE = "duty_free"
PASSWORD_PAGE = "/staff/conta/senha"  # noqa: S105 - a page address
ACCOUNT_PAGE = "/staff/conta"


class DutyPending(Exception):
    """The account has something to do first, on the page ``target``."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


async def duties_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    duties: dict[str, bool] = connection.scope.get("balcao_duties") or {}  # type: ignore[assignment]
    if not duties or handler.opt.get(DUTY_FREE):
        return
    if duties.get("password"):
        raise DutyPending(PASSWORD_PAGE)
    if duties.get("second_factor"):
        desk: Desk = connection.app.state.desk
        if not await totp_enabled(desk, current_actor(connection).user_id or 0):
            raise DutyPending(f"{ACCOUNT_PAGE}?exigido=2fa")


def to_duty(request: Request[Any, Any, Any], exc: DutyPending) -> Response[Any]:
    return Redirect(exc.target, status_code=303)
