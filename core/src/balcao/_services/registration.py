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

__all__ = ["insert_manifestations", "insert_rows"]

_MANIFESTATIONS = table_of(ManifestationRow)
# the routing rules' version comes back with the ids: the one read a registration needs to
# know that it was routed with the rules in force, in the statement it runs anyway
_INSERT_MANIFESTATIONS = insert(_MANIFESTATIONS).returning(
    _MANIFESTATIONS.c.id, _MANIFESTATIONS.c.protocol, version_in_force()
)


@cache
def _insert(model: type[Base]) -> Insert:
    return insert(table_of(model))


async def insert_manifestations(
    connection: AsyncConnection, rows: Sequence[dict[str, Any]]
) -> tuple[list[int], int]:
    """Insert manifestation rows in one statement; their ids, in the order of ``rows``, and
    the newest routing rules' version number (0 when none was saved), as this transaction
    sees it."""
    found = (await connection.execute(_INSERT_MANIFESTATIONS, list(rows))).all()
    # the database may return the rows in any order: each is known by its protocol
    ids = {protocol: int(created) for created, protocol, _ in found}
    return [ids[row["protocol"]] for row in rows], max(int(v) for _, _, v in found)


async def insert_rows(
    connection: AsyncConnection, model: type[Base], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert ``rows`` of ``model``'s table in one statement."""
    if rows:
        await connection.execute(_insert(model), list(rows))
