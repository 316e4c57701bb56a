"""CSRF, in two parts.

The middleware: every route gets the CSRF cookie and token (its forms carry the token), and an
unsafe request must send back the token of its cookie, unless the route opts out with
``exclude_from_csrf`` (webhooks, bearer APIs: they have their own checks) or its path is
excluded. Litestar's own middleware does the same; this one reads only the cookie it needs and
formats its ``Set-Cookie`` once, instead of building a request, parsing every cookie and going
through ``SimpleCookie`` on each page.

The core's guarantee for every change made with the staff session cookie: the request
comes from one of the balcão's own pages. It holds on every route the staff guard covers,
plugin routes included, whatever the route says about the CSRF middleware: a plugin cannot
forget it. Bearer-token calls carry no cookie and need no token."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from secrets import compare_digest
from typing import Any

from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.csrf import generate_csrf_hash, generate_csrf_token
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

__all__ = ["UNSAFE_METHODS", "CsrfMiddleware", "CsrfPolicy", "check_cookie_change"]

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
    config: CSRFConfig = connection.app.state.csrf_config
    cookie = connection.cookies.get(config.cookie_name, "")
    sent = connection.headers.get(config.header_name) or await _form_token(connection)
    return _matching(cookie, sent, config.secret)


def _matching(cookie: str, sent: str, secret: str) -> bool:
    """Both tokens signed with our key, and the same (equal tokens: one signature to check)."""
    return compare_digest(cookie.encode(), sent.encode()) and _signed(cookie, secret)


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


@dataclass(frozen=True)
class CsrfPolicy:
    """One app's CSRF config with what follows from it: the excluded paths' pattern and the
    cookie's attributes (``name=`` + token + ``cookie_tail``). Litestar builds one middleware
    per route (some 200): they share the policy, worked out once when the app is built."""

    config: CSRFConfig
    excluded: re.Pattern[str]
    cookie_tail: str

    @classmethod
    def of(cls, config: CSRFConfig) -> CsrfPolicy:
        model = Cookie(
            key=config.cookie_name,
            value="0",
            path=config.cookie_path,
            secure=config.cookie_secure,
            httponly=config.cookie_httponly,
            samesite=config.cookie_samesite,
            domain=config.cookie_domain,
        )
        tail = model.to_header(header="")[len(config.cookie_name) + 2 :]
        return cls(config, re.compile("|".join(config.exclude or ["(?!)"])), tail)


class CsrfMiddleware:
    """ASGI middleware of every route (see the module's docstring); a refusal is a 403
    ``PermissionDeniedException``, which a route may answer with its own page."""

    def __init__(self, app: ASGIApp, policy: CsrfPolicy) -> None:
        self.app, self.config = app, policy.config
        self.excluded, self.cookie_tail = policy.excluded, policy.cookie_tail

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._bypassed(scope):
            await self.app(scope, receive, send)
            return
        state = ScopeState.from_scope(scope)
        cookie = _cookie(scope, self.config.cookie_name)
        if scope.get("method") in self.config.safe_methods:
            state.csrf_token = cookie or generate_csrf_token(self.config.secret)
            if not cookie:
                send = self._setting(send, state.csrf_token)
        else:
            state.csrf_token = await self._checked(scope, receive, cookie)
        await self.app(scope, receive, send)

    async def _checked(self, scope: Scope, receive: Receive, cookie: str) -> str:
        """The token an unsafe request sent (header, or the form's field): the cookie's."""
        request: Request[Any, Any, Any] = Request(scope, receive)
        sent = request.headers.get(self.config.header_name) or await _form_token(request)
        if not _matching(cookie, sent, self.config.secret):
            raise PermissionDeniedException("CSRF token verification failed")
        return sent

    def _bypassed(self, scope: Scope) -> bool:
        if scope["type"] != ScopeType.HTTP:
            return True
        handler = scope.get("route_handler")
        if handler is not None and handler.opt.get(self.config.exclude_from_csrf_key):
            return True
        return self.excluded.search(scope["path"]) is not None

    def _setting(self, send: Send, token: str) -> Send:
        """``send``, adding the new token's cookie to the answer."""
        header = (b"set-cookie", f"{self.config.cookie_name}={token}{self.cookie_tail}".encode())

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        return send_with_cookie


def _cookie(scope: Scope, name: str) -> str:
    """The named cookie's value ("" without it); the last one wins, as in Litestar."""
    found = ""
    for key, value in scope["headers"]:
        if key.lower() != b"cookie":
            continue
        for part in value.decode("latin-1").split(";"):
            key_text, sep, text = part.partition("=")
            if sep and key_text.strip() == name:
                found = text.strip()
    return found
