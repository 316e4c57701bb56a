"""Domain errors to HTTP answers a person can act on: JSON ``{status_code, detail}`` on the
API, a short page elsewhere. Never a traceback, never a 500 for bad input."""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.types import ExceptionHandlersMap
from sqlalchemy.exc import DBAPIError

from balcao._desk import DuplicateMessage, NotFound, RateLimited, TransitionRefused
from balcao._domain.lifecycle import IllegalTransition
from balcao._services.attachments import AttachmentRejected
from balcao._services.deadlines import DeadlineError
from balcao._services.manifestations import InvalidManifestation
from balcao._web.params import InvalidParameter

__all__ = ["EXCEPTION_HANDLERS"]

log = logging.getLogger("balcao")


def _answer(status: int):  # type: ignore[no-untyped-def]
    def handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        detail = str(exc)
        if request.url.path.startswith(("/api/", "/channels/", "/exports/")) and (
            "html" not in request.headers.get("accept", "")
        ):
            extra: dict[str, Any] = {}
            if isinstance(exc, InvalidManifestation):
                extra["field"] = exc.field
            return Response({"status_code": status, "detail": detail, **extra}, status_code=status)
        return Response(f"{status}: {detail}", status_code=status, media_type=MediaType.TEXT)

    return handler


def _unstorable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A value the database refuses (SQLSTATE class 22, "data exception": a NUL character,
    a text longer than its column, on PostgreSQL) is the caller's fault, said without
    echoing the statement or its values. Any other database error is ours: a 500, logged."""
    sqlstate = str(getattr(getattr(exc, "orig", None), "sqlstate", "") or "")
    if not sqlstate.startswith("22"):
        log.error("database error on %s", request.url.path, exc_info=exc)
        body = {"status_code": 500, "detail": "Internal Server Error"}
        return Response(body, status_code=500)
    refused = InvalidManifestation(
        "texto", "um valor enviado não pode ser guardado (caractere nulo ou texto longo demais)"
    )
    answer: Response[Any] = _answer(422)(request, refused)
    return answer


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    NotFound: _answer(404),
    PermissionError: _answer(403),
    IllegalTransition: _answer(409),
    TransitionRefused: _answer(409),
    DuplicateMessage: _answer(409),
    DeadlineError: _answer(409),
    InvalidManifestation: _answer(422),
    InvalidParameter: _answer(400),
    AttachmentRejected: _answer(422),
    RateLimited: _answer(429),
    DBAPIError: _unstorable,
}
