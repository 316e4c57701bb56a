"""The staff web interface under ``/staff`` (pt-BR, server-rendered, no script framework)."""

from __future__ import annotations

import urllib.parse
from typing import Any

from litestar import Request, Response
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.response import Redirect, Template

from balcao._annual.routes import ANNUAL_ROUTES
from balcao._desk import NotFound
from balcao._staff._audit_routes import AUDIT_ROUTES
from balcao._staff._auth_routes import ACCOUNT_ROUTES, PUBLIC_ROUTES
from balcao._staff._bulk import BULK_ROUTES
from balcao._staff._case import CASE_ROUTES
from balcao._staff._duties import DutyPending, duties_guard, to_duty
from balcao._staff._files import FILE_ROUTES
from balcao._staff._forward import FORWARD_ROUTES
from balcao._staff._inbox import INBOX_ROUTES
from balcao._staff._lgpd import LGPD_ROUTES
from balcao._staff._notices import NOTICE_ROUTES
from balcao._staff._reports import REPORT_ROUTES
from balcao._staff._rule_editor import RULE_EDITOR_ROUTES
from balcao._staff._rules import RULE_ROUTES
from balcao._staff._security import SECURITY_ROUTES
from balcao._staff._units import UNIT_ROUTES
from balcao._staff._users import USER_ROUTES
from balcao._web.auth import staff_guard
from balcao._web.params import InvalidParameter
from balcao._web.routers import AppRouter

__all__ = ["staff_routers"]


def _to_login(request: Request[Any, Any, Any], _exc: Exception) -> Response[Any]:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = "/staff"
    return Redirect(f"/staff/entrar?proximo={urllib.parse.quote(target)}", status_code=303)


def _problem(status: int, title: str):  # type: ignore[no-untyped-def]
    def handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        return Template(
            "balcao/staff/problem.html",
            context={"status": status, "title": title, "detail": str(exc)},
            status_code=status,
        )

    return handler


def staff_routers() -> list[AppRouter]:
    """The login pages (open) and every other staff page (behind the role guard)."""
    guarded = [
        *INBOX_ROUTES,
        *BULK_ROUTES,
        *CASE_ROUTES,
        *FILE_ROUTES,
        *FORWARD_ROUTES,
        *UNIT_ROUTES,
        *AUDIT_ROUTES,
        *REPORT_ROUTES,
        *ANNUAL_ROUTES,
        *RULE_ROUTES,
        *LGPD_ROUTES,
        *ACCOUNT_ROUTES,
        *USER_ROUTES,
        *SECURITY_ROUTES,
        *RULE_EDITOR_ROUTES,
        *NOTICE_ROUTES,
    ]
    return [
        AppRouter(path="/", route_handlers=PUBLIC_ROUTES, include_in_schema=False),
        AppRouter(
            path="/",
            route_handlers=guarded,
            guards=[staff_guard, duties_guard],
            include_in_schema=False,
            exception_handlers={
                DutyPending: to_duty,
                NotAuthorizedException: _to_login,
                PermissionDeniedException: _problem(403, "Acesso não permitido"),
                PermissionError: _problem(403, "Acesso não permitido"),
                NotFound: _problem(404, "Não encontrada"),
                InvalidParameter: _problem(400, "Pedido inválido"),
            },
        ),
    ]
