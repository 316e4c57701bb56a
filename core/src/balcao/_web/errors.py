"""Domain errors to HTTP answers a person can act on: JSON ``{status_code, detail}`` on the
API, a short page elsewhere. Never a traceback, never a 500 for bad input."""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Template
from litestar.status_codes import HTTP_404_NOT_FOUND, HTTP_500_INTERNAL_SERVER_ERROR
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

_API_PREFIXES = ("/api/", "/channels/", "/exports/")
_TITLES = {
    400: "Pedido inválido",
    403: "Acesso não permitido",
    404: "Página não encontrada",
    409: "Não foi possível concluir",
    422: "Dados não aceitos",
    429: "Muitos pedidos seguidos",
    500: "Erro no balcão virtual",
}
_MESSAGES = {
    404: "Não encontramos esta página. Confira o endereço digitado ou use os links abaixo.",
    500: "Algo deu errado do nosso lado e o pedido não pôde ser concluído. Tente de novo em "
    "alguns minutos; se o erro continuar, fale com a ouvidoria por outro canal.",
}


def _wants_page(request: Request[Any, Any, Any]) -> bool:
    """A person's browser asking for a page (not the JSON API)."""
    accept = request.headers.get("accept", "")
    return "html" in accept and not request.url.path.startswith("/api/")


def _page(status: int, message: str = "") -> Template:
    """The error as a page in the site's look (pt-BR)."""
    context = {
        "title": _TITLES.get(status, _TITLES[409]),
        "message": message or _MESSAGES.get(status, ""),
        "status_code": status,
    }
    return Template("balcao/error.html", context=context, status_code=status)


def _not_found(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if _wants_page(request):
        return _page(HTTP_404_NOT_FOUND)
    detail = exc.detail if isinstance(exc, HTTPException) else str(exc)
    return Response({"status_code": 404, "detail": detail}, status_code=404)


def _internal(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Anything unexpected: logged with its traceback, answered without it."""
    log.error("unexpected error on %s", request.url.path, exc_info=exc)
    if _wants_page(request):
        return _page(HTTP_500_INTERNAL_SERVER_ERROR)
    body = {"status_code": 500, "detail": "Internal Server Error"}
    return Response(body, status_code=500)


def _answer(status: int):  # type: ignore[no-untyped-def]
    def handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        detail = str(exc)
        if request.url.path.startswith(_API_PREFIXES) and (
            "html" not in request.headers.get("accept", "")
        ):
            extra: dict[str, Any] = {}
            if isinstance(exc, InvalidManifestation):
                extra["field"] = exc.field
            return Response({"status_code": status, "detail": detail, **extra}, status_code=status)
        if _wants_page(request):
            return _page(status, detail)
        return Response(f"{status}: {detail}", status_code=status, media_type=MediaType.TEXT)

    return handler


def _unstorable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A value the database refuses (SQLSTATE class 22, "data exception": a NUL character,
    a text longer than its column, on PostgreSQL) is the caller's fault, said without
    echoing the statement or its values. Any other database error is ours: a 500, logged."""
    sqlstate = str(getattr(getattr(exc, "orig", None), "sqlstate", "") or "")
    if not sqlstate.startswith("22"):
        return _internal(request, exc)
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
    HTTP_404_NOT_FOUND: _not_found,
    HTTP_500_INTERNAL_SERVER_ERROR: _internal,
}
