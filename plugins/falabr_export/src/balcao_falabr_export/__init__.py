"""Balcão plugin: Fala.BR registration and reporting export."""

from __future__ import annotations

__all__: list[str] = []
