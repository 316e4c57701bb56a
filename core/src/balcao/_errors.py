"""Errors about access that every layer raises and the web turns into 404 and 403."""

from __future__ import annotations

__all__ = ["Forbidden", "NotFound"]


class NotFound(LookupError):
    """No such manifestation (or none the caller may see)."""


class Forbidden(PermissionError):
    """The caller sees the manifestation but may not do this to it; the message says why."""
