"""Balcão plugin: WhatsApp Business Cloud API channel."""

from __future__ import annotations

__all__: list[str] = []
