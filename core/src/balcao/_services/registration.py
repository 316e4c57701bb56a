"""A new manifestation's rows, written with one prepared statement per table.

Every public form and every first message of a conversation comes through here, so these
inserts skip the ORM's unit of work, which cost more than the statements themselves; the rows
are the same ``_db.models`` tables, with every column given. They take the session's
connection: these are Core statements, and the ORM session around them would only add cost."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Insert, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from balcao._db.models import ManifestationRow
from balcao._db.types import Base, table_of
from balcao._routing.stored import version_in_force

__all__ = ["insert_manifestation", "insert_rows"]

_MANIFESTATIONS = table_of(ManifestationRow)
# the routing rules' version comes back with the id: the one read a registration needs to
# know that it was routed with the rules in force, in the statement it runs anyway
_INSERT_MANIFESTATION = insert(_MANIFESTATIONS).returning(_MANIFESTATIONS.c.id, version_in_force())


@cache
def _insert(model: type[Base]) -> Insert:
    return insert(table_of(model))


async def insert_manifestation(
    connection: AsyncConnection, values: dict[str, Any]
) -> tuple[int, int]:
    """Insert the manifestation row; its id and the newest routing rules' version number
    (0 when none was saved), as this transaction sees them."""
    created, version = (await connection.execute(_INSERT_MANIFESTATION, values)).one()
    return int(created), int(version)


async def insert_rows(
    connection: AsyncConnection, model: type[Base], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert ``rows`` of ``model``'s table in one statement."""
    if rows:
        await connection.execute(_insert(model), list(rows))
