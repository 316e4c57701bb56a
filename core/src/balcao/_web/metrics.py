"""``/metrics`` in Prometheus' text format: off unless enabled, and never public by default
(a bearer token, or client addresses in ``metrics_allow``; loopback when neither is set)."""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
from dataclasses import dataclass
from math import inf
from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Response

from balcao._config import Settings
from balcao._desk import Desk
from balcao._services import heartbeat, operations
from balcao._web.security import client_ip

__all__ = ["Metrics", "metrics_endpoint"]

_LOOPBACK = ["127.0.0.0/8", "::1/128"]


class Metrics:
    """One registry per app: request figures as they happen, the rest read at each scrape."""

    def __init__(self) -> None:
        # imported here: a server without metrics (the default) does not load the client
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = r = CollectorRegistry()
        self.requests = Counter(
            "balcao_http_requests", "Requests by route", ["method", "route", "status"], registry=r
        )
        self.latency = Histogram(
            "balcao_http_request_duration_seconds",
            "Time to answer",
            ["method", "route"],
            registry=r,
        )
        self.gauges = {
            name: Gauge(f"balcao_{name}", text, labels, registry=r)
            for name, text, labels in _GAUGES
        }

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    async def render(self, desk: Desk) -> bytes:
        from prometheus_client.exposition import generate_latest

        await self._refresh(desk)
        return generate_latest(self.registry)

    async def _refresh(self, desk: Desk) -> None:
        figures = await _read(desk)
        now, g = desk.now(), self.gauges
        for name, backlog in figures.backlogs.items():
            g[f"{name}_backlog"].set(backlog.count)
            age = (now - backlog.oldest).total_seconds() if backlog.oldest else 0.0
            g[f"{name}_oldest_age_seconds"].set(age)
        for name, counts in figures.by_channel.items():
            g[name].clear()
            for channel, count in counts.items():
                g[name].labels(channel).set(count)
        g["manifestations_overdue"].set(figures.overdue)
        g["manifestations_due_soon"].set(figures.due_soon)
        seen = figures.worker_seen
        g["worker_heartbeat_age_seconds"].set((now - seen).total_seconds() if seen else inf)


@dataclass(frozen=True)
class _Figures:
    backlogs: dict[str, operations.Backlog]
    by_channel: dict[str, dict[str, int]]
    overdue: int
    due_soon: int
    worker_seen: dt.datetime | None


async def _read(desk: Desk) -> _Figures:
    today = desk.today()
    soon = operations.soon_limit(desk.calendar, today, desk.settings.deadline_warning_days)
    async with desk.database.read() as s:
        overdue, due_soon = await operations.deadline_counts(s, today, soon)
        return _Figures(
            backlogs={
                "outbox": await operations.outbox_backlog(s),
                "inbound": await operations.inbound_backlog(s),
            },
            by_channel={
                "outbox_dead_letters": await operations.dead_letters(s),
                "deliveries_failing": await operations.failing_deliveries(s),
            },
            overdue=overdue,
            due_soon=due_soon,
            worker_seen=await heartbeat.last_seen(s),
        )


_GAUGES: list[tuple[str, str, list[str]]] = [
    ("outbox_backlog", "Outgoing messages waiting for delivery", []),
    ("outbox_oldest_age_seconds", "Age of the oldest outgoing message waiting", []),
    ("inbound_backlog", "Inbound events not processed yet", []),
    ("inbound_oldest_age_seconds", "Age of the oldest inbound event waiting", []),
    ("outbox_dead_letters", "Messages given up on, by channel", ["channel"]),
    ("deliveries_failing", "Undelivered messages whose last attempt failed", ["channel"]),
    ("manifestations_overdue", "Manifestations with a legal deadline past", []),
    ("manifestations_due_soon", "Manifestations due within the warning business days", []),
    ("worker_heartbeat_age_seconds", "Seconds since a worker last finished a round", []),
]


def _allowed(request: Request[Any, Any, Any], settings: Settings) -> bool:
    header = request.headers.get("authorization", "")
    if settings.metrics_token and header.startswith("Bearer "):
        return hmac.compare_digest(header[7:].encode(), settings.metrics_token.encode())
    networks = settings.metrics_allow or ([] if settings.metrics_token else _LOOPBACK)
    try:
        address = ipaddress.ip_address(client_ip(request, settings.trusted_proxies))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)


@get("/metrics", include_in_schema=False)
async def metrics_endpoint(
    request: Request[Any, Any, Any], desk: NamedDependency[Desk]
) -> Response[bytes]:
    metrics: Metrics | None = request.app.state.get("metrics")
    if metrics is None:
        raise NotFoundException()
    if not _allowed(request, desk.settings):
        raise PermissionDeniedException("métricas: token ou endereço não autorizado")
    from prometheus_client import CONTENT_TYPE_LATEST

    return Response(await metrics.render(desk), media_type=CONTENT_TYPE_LATEST)
