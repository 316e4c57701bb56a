"""A new manifestation's rows, written with one prepared statement per table.

Every public form and every first message of a conversation comes through here, so these
inserts skip the ORM's unit of work, which cost more than the statements themselves; the rows
are the same ``_db.models`` tables, with every column given. They take the session's
connection: these are Core statements, and the ORM session around them would only add cost."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Insert, Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from balcao._db.models import ManifestationRow
from balcao._db.types import Base

__all__ = ["insert_manifestation", "insert_rows"]


@cache
def _insert(model: type[Base]) -> Insert:
    table: Table = model.__table__  # type: ignore[assignment]
    statement = insert(table)
    return statement.returning(table.c.id) if model is ManifestationRow else statement


async def insert_manifestation(connection: AsyncConnection, values: dict[str, Any]) -> int:
    """Insert the manifestation row; its id."""
    return int((await connection.execute(_insert(ManifestationRow), values)).scalar_one())


async def insert_rows(
    connection: AsyncConnection, model: type[Base], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert ``rows`` of ``model``'s table in one statement."""
    if rows:
        await connection.execute(_insert(model), list(rows))
