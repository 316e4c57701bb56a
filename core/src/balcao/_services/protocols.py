"""Protocol numbers: sequential per year, gap-free under concurrency on both databases."""

from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.ext.asyncio import AsyncConnection

from balcao._db.models import ProtocolCounter
from balcao._db.types import table_of
from balcao._services.upsert import insert_ignore

__all__ = ["next_sequence"]

_TABLE = table_of(ProtocolCounter)
# Built once: every registration runs it.
_NEXT = (
    update(_TABLE)
    .where(_TABLE.c.year == bindparam("for_year"))
    .values(last_value=_TABLE.c.last_value + bindparam("count"))
    .returning(_TABLE.c.last_value)
)


async def next_sequence(connection: AsyncConnection, year: int, count: int = 1) -> int:
    """The first of the next ``count`` numbers of ``year`` (the others follow it). The
    counter row stays locked until the transaction ends, and a rolled-back transaction gives
    its numbers back: no gaps, no duplicates."""
    values = {"for_year": year, "count": count}
    last = (await connection.execute(_NEXT, values)).scalar_one_or_none()
    if last is None:
        await insert_ignore(connection, ProtocolCounter, {"year": year, "last_value": 0})
        last = (await connection.execute(_NEXT, values)).scalar_one()
    return int(last) - count + 1
