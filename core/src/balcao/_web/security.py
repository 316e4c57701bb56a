"""Security headers for every answer (CSP without inline scripts, no framing, nosniff, referrer
policy, no caching of staff answers), and the client address behind trusted proxies."""

from __future__ import annotations

import ipaddress
from typing import Any

from litestar.connection import ASGIConnection

__all__ = ["client_ip", "security_headers"]

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}

# Staff answers may carry a case's text or a citizen's identity: no cache, shared or not,
# keeps a copy (a route that knows better sets its own cache-control).
_PRIVATE = ("/staff", "/api/", "/exports/")


def _encoded(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.encode(), value.encode()) for name, value in headers.items()]


# the headers added to a response, by kind of path, encoded once
_PUBLIC = _encoded({**_HEADERS, "content-security-policy": _CSP})
_DOCS = _encoded(_HEADERS)
_STAFF = _encoded({**_HEADERS, "content-security-policy": _CSP, "cache-control": "no-store"})


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    """The headers every answer on ``path`` carries (encoded once, shared: do not mutate).
    The interactive API docs under /schema load their own scripts, so they get no CSP."""
    if path.startswith("/schema"):
        return _DOCS
    return _STAFF if path.startswith(_PRIVATE) else _PUBLIC


def client_ip(connection: ASGIConnection[Any, Any, Any, Any], trusted: list[str]) -> str:
    """The client's address; ``X-Forwarded-For`` counts only from a trusted proxy."""
    peer = connection.client.host if connection.client else "unknown"
    if not trusted or not _trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in connection.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _trusted(hop, trusted):
            return hop
    return peer


def _trusted(address: str, trusted: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in trusted)
