"""The core's guarantee for every change made with the staff session cookie: the request
comes from one of the balcão's own pages. It holds on every route the staff guard covers,
plugin routes included, whatever the route says about the CSRF middleware: a plugin cannot
forget it. Bearer-token calls carry no cookie and need no token."""

from __future__ import annotations

import urllib.parse
from secrets import compare_digest
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.csrf import generate_csrf_hash

__all__ = ["UNSAFE_METHODS", "check_cookie_change"]

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FORMS = {RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART}
_SECRET_LENGTH = 64  # hex characters of the random part of a token


async def check_cookie_change(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Refuse (403) an unsafe request authenticated by the session cookie unless it comes
    from our own origin and carries the CSRF token that matches the CSRF cookie."""
    if connection.scope.get("method") not in UNSAFE_METHODS:
        return
    if not _same_origin(connection):
        raise PermissionDeniedException("pedido recusado: enviado de outro site")
    if not await _token_matches(connection):
        raise PermissionDeniedException(
            "pedido recusado: token CSRF ausente ou inválido; recarregue a página e tente de novo"
        )


def _same_origin(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """A browser names the page a request comes from in ``Origin`` (or ``Referer``); when
    it does, it must be ours. Without either, the token alone decides."""
    source = connection.headers.get("origin") or connection.headers.get("referer")
    if not source:
        return True
    public_url: str = connection.app.state.desk.settings.public_url
    ours = {connection.headers.get("host", ""), urllib.parse.urlsplit(public_url).netloc}
    return urllib.parse.urlsplit(source).netloc in ours - {""}


async def _token_matches(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    config = connection.app.csrf_config
    assert config is not None  # the app always has one
    cookie = connection.cookies.get(config.cookie_name, "")
    sent = connection.headers.get(config.header_name) or await _form_token(connection)
    secret = config.secret
    return _signed(cookie, secret) and _signed(sent, secret) and compare_digest(cookie, sent)


async def _form_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    if not isinstance(connection, Request) or connection.content_type[0] not in _FORMS:
        return ""
    # The parsed form is cached on the connection, so the handler still gets its data.
    value = (await connection.form()).get("_csrf_token", "")
    return value if isinstance(value, str) else ""


def _signed(token: str, secret: str) -> bool:
    if len(token) <= _SECRET_LENGTH:
        return False
    body, mac = token[:_SECRET_LENGTH], token[_SECRET_LENGTH:]
    return compare_digest(mac, generate_csrf_hash(body, secret))
