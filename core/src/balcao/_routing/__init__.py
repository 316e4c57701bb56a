"""Routing: the engine, declarative rules from ``balcao.toml``, round-robin, dry runs."""

from __future__ import annotations

from balcao._routing.engine import FALLBACK, Outcome, ordered, route, routing_columns

__all__ = ["FALLBACK", "Outcome", "ordered", "route", "routing_columns"]
