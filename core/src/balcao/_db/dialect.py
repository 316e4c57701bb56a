"""Which database a session or connection talks to: the one place the code asks."""

from __future__ import annotations

import importlib
from typing import Any, TypeVar

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

__all__ = ["dialect_insert", "dialect_name", "locks_rows", "unindexed"]

_T = TypeVar("_T")


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


def unindexed(
    column: QueryableAttribute[_T], executor: AsyncSession | AsyncConnection
) -> QueryableAttribute[_T] | ColumnElement[_T]:
    """``column`` as a term SQLite will not answer through an index (``+column``), to steer
    its plan: SQLAlchemy renders no table hint (``with_hint``) on SQLite. Elsewhere, the
    column itself."""
    if dialect_name(executor) != "sqlite":
        return column
    term = column.expression
    return UnaryExpression(term, operator=operators.custom_op("+"), type_=term.type)
