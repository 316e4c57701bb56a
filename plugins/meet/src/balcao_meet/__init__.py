"""Balcão plugin: Google Meet video attendance channel."""

from __future__ import annotations

__all__: list[str] = []
