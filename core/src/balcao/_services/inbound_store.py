"""The write unit of ``Desk.persist_inbound``: one statement, compiled once."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from balcao._db.dialect import dialect_insert, dialect_name
from balcao._db.models import InboundEvent
from balcao._delivery.wake import announce

__all__ = ["store_inbound"]


@cache
def _statement(dialect: str) -> Insert:
    # a Core statement over the table (no ORM bulk-insert machinery), built once per dialect
    table = InboundEvent.__table__
    return dialect_insert(dialect)(table).on_conflict_do_nothing().returning(table.c.id)  # type: ignore[no-any-return]


async def store_inbound(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert the raw event unless its (channel, external id) is stored; True when new."""
    connection = await session.connection()
    result = await connection.execute(_statement(dialect_name(session)), values)
    if result.scalar_one_or_none() is None:
        return False
    await announce(session, "inbound")
    return True
