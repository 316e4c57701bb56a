"""The one ASGI layer in front of the router, so that every answer (a 404 and a refused host
included) passes through it: allowed hosts, the security headers, a request id (logged, and
returned as ``X-Request-ID``), an access log line (method, path, status, time: never the query
string, which may carry a search for a name) and, when metrics are on, a count and a latency
by route. One layer rather than one per concern: each layer costs every request a coroutine
and a wrapped ``send``."""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Iterable, Mapping

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from balcao._logging import log_access, request_id
from balcao._web.hosts import REFUSED, AllowedHosts
from balcao._web.metrics import Metrics
from balcao._web.security import security_headers

__all__ = ["Gate"]

access = logging.getLogger("balcao.access")
_REFUSED_HEAD = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(REFUSED))]

Headers = list[tuple[bytes, bytes]]

# Request ids tie log lines together: they must differ, not be secret, so they come from a
# seeded generator rather than a system call per request (reseeded in a forked child, so
# that two worker processes never share a sequence).
_ids = random.Random()  # noqa: S311 (not a secret: see above)
os.register_at_fork(after_in_child=_ids.seed)


def _with(headers: Iterable[tuple[bytes, bytes]], added: Headers) -> Headers:
    """The response's headers and ours, where the response did not set the same one."""
    result = list(headers)
    present = {bytes(name).lower() for name, _ in result}
    result += [pair for pair in added if pair[0] not in present]
    return result


class Gate:
    """ASGI middleware around the whole app; ``metrics`` is None when metrics are off.
    ``lanes`` answer a POST to their path themselves (the channels' webhooks: see
    ``webhooks.py``), past the host check and with the same headers and log line."""

    def __init__(
        self,
        app: ASGIApp,
        hosts: AllowedHosts,
        access_log: bool,
        metrics: Metrics | None,
        lanes: Mapping[str, ASGIApp] | None = None,
    ) -> None:
        self.app, self.hosts = app, hosts
        self.access_log, self.metrics = access_log, metrics
        self.lanes = dict(lanes or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self._other(scope, receive, send)
            return
        rid = _ids.randbytes(8).hex()
        token = request_id.set(rid)
        started = time.perf_counter()
        added = [*security_headers(scope["path"]), (b"x-request-id", rid.encode())]
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = _with(message.get("headers", ()), added)
            await send(message)

        try:
            if not self.hosts.allow(scope):
                await _refuse(send_with_headers)
            elif scope["method"] == "POST" and scope["path"] in self.lanes:
                await self.lanes[scope["path"]](scope, receive, send_with_headers)
            else:
                await self.app(scope, receive, send_with_headers)
        finally:
            self._record(scope, status, time.perf_counter() - started)
            request_id.reset(token)

    async def _other(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.WEBSOCKET and not self.hosts.allow(scope):
            await send({"type": "websocket.close", "code": 1008, "reason": ""})
            return
        await self.app(scope, receive, send)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        method = str(scope.get("method", "-"))
        if self.metrics is not None:
            route = str(scope.get("path_template") or "unmatched")
            self.metrics.observe(method, route, status, seconds)
        # liveness probes arrive every few seconds from the load balancer: not logged
        if self.access_log and scope["path"] != "/health" and access.isEnabledFor(logging.INFO):
            protocol = scope.get("path_params", {}).get("protocol")
            line = f"{method} {scope['path']} {status} {seconds * 1000:.1f} ms"
            log_access(access, line, protocol if isinstance(protocol, str) else None)


async def _refuse(send: Send) -> None:
    await send({"type": "http.response.start", "status": 400, "headers": _REFUSED_HEAD})
    await send({"type": "http.response.body", "body": REFUSED, "more_body": False})
