"""The append-only audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import AuditEntry
from balcao._types import Actor

__all__ = ["record"]


def record(
    session: AsyncSession,
    at: dt.datetime,
    actor: Actor,
    action: str,
    protocol: str | None = None,
    **detail: Any,
) -> None:
    """Add an audit entry to the session's transaction."""
    session.add(
        AuditEntry(at=at, actor=actor.label, action=action, protocol=protocol, detail=detail)
    )
