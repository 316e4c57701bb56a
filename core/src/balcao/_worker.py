"""The background worker: the delivery engine over outbox deliveries, inbound events,
lifecycle events and periodic jobs (see ``balcao._delivery``)."""

from __future__ import annotations

from balcao._delivery.engine import Engine

__all__ = ["Worker"]


class Worker(Engine):
    """One worker; several may run against PostgreSQL, on SQLite the embedded one is alone."""
