"""Domain errors to HTTP answers a person can act on: JSON ``{status_code, detail}`` on the
API, a short page elsewhere. Never a traceback, never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response
from litestar.types import ExceptionHandlersMap

from balcao._desk import NotFound, RateLimited, TransitionRefused
from balcao._domain.lifecycle import IllegalTransition
from balcao._services.attachments import AttachmentRejected
from balcao._services.deadlines import DeadlineError
from balcao._services.manifestations import InvalidManifestation
from balcao._web.params import InvalidParameter

__all__ = ["EXCEPTION_HANDLERS"]


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


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    NotFound: _answer(404),
    PermissionError: _answer(403),
    IllegalTransition: _answer(409),
    TransitionRefused: _answer(409),
    DeadlineError: _answer(409),
    InvalidManifestation: _answer(422),
    InvalidParameter: _answer(400),
    AttachmentRejected: _answer(422),
    RateLimited: _answer(429),
}
