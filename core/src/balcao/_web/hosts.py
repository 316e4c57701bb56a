"""Allowed hosts: the Host header's name is checked with or without its port, so a load
balancer's health check on ``127.0.0.1:8000`` passes ``allowed_hosts = ["127.0.0.1"]``."""

from __future__ import annotations

from litestar.datastructures import Headers
from litestar.response.base import ASGIResponse
from litestar.types import ASGIApp, Receive, Scope, Send

__all__ = ["AllowedHosts", "host_name"]

_REFUSED = b'{"status_code":400,"detail":"cabe\xc3\xa7alho Host n\xc3\xa3o permitido"}'


def host_name(header: str) -> str:
    """``example.org:8000`` → ``example.org``; ``[::1]:8000`` → ``::1``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else ""
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _matches(name: str, allowed: str) -> bool:
    allowed = host_name(allowed)
    if allowed.startswith("*."):
        return name.endswith(allowed[1:])
    return name == allowed


class AllowedHosts:
    """ASGI middleware; ``*`` in the list allows every host."""

    def __init__(self, app: ASGIApp, allowed: list[str]) -> None:
        self.app = app
        self.allowed = None if "*" in allowed else list(allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allowed is None or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        name = host_name(Headers.from_scope(scope).get("host", ""))
        if name and any(_matches(name, a) for a in self.allowed):
            await self.app(scope, receive, send)
            return
        await ASGIResponse(body=_REFUSED, status_code=400, media_type="application/json")(
            scope, receive, send
        )
