"""Every request gets an id (logged, and returned as ``X-Request-ID``), an access log line
(method, path, status, time: never the query string, which may carry a search for a name)
and, when metrics are on, a count and a latency by route."""

from __future__ import annotations

import logging
import secrets
import time

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from balcao._logging import request_id
from balcao._web.metrics import Metrics

__all__ = ["RequestObserver"]

access = logging.getLogger("balcao.access")


class RequestObserver:
    """ASGI middleware; ``metrics`` is None when metrics are off."""

    def __init__(self, app: ASGIApp, access_log: bool, metrics: Metrics | None) -> None:
        self.app = app
        self.access_log = access_log
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # type: ignore[comparison-overlap]
            await self.app(scope, receive, send)
            return
        rid = secrets.token_hex(8)
        token = request_id.set(rid)
        started = time.perf_counter()
        status = [500]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, status[0], time.perf_counter() - started)
            request_id.reset(token)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        method = str(scope.get("method", "-"))
        if self.metrics is not None:
            route = str(scope.get("path_template") or "unmatched")
            self.metrics.observe(method, route, status, seconds)
        # liveness probes arrive every few seconds from the load balancer: not logged
        if self.access_log and scope["path"] != "/health":
            protocol = scope.get("path_params", {}).get("protocol")
            access.info(
                "%s %s %d %.1f ms",
                method,
                scope["path"],
                status,
                seconds * 1000,
                extra={"protocol": protocol} if isinstance(protocol, str) else None,
            )
