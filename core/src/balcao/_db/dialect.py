"""Which database a session or connection talks to: the one place the code asks."""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

__all__ = ["dialect_insert", "dialect_name", "locks_rows"]


def dialect_insert(name: str) -> Any:
    """``sqlite`` or ``postgresql``'s own ``insert`` (with ``ON CONFLICT``), imported when
    first asked: a server keeps only its own database's dialect in memory."""
    return importlib.import_module(f"sqlalchemy.dialects.{name}").insert


def dialect_name(executor: AsyncSession | AsyncConnection) -> str:
    """``sqlite`` or ``postgresql``."""
    if isinstance(executor, AsyncConnection):
        return executor.dialect.name
    return executor.bind.dialect.name if executor.bind is not None else "sqlite"


def locks_rows(executor: AsyncSession | AsyncConnection) -> bool:
    """Whether ``SELECT ... FOR UPDATE`` means anything: on SQLite a write transaction
    already holds the whole database."""
    return dialect_name(executor) == "postgresql"
