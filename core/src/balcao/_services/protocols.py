"""Protocol numbers: sequential per year, gap-free under concurrency on both databases."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import ProtocolCounter
from balcao._services.upsert import insert_ignore

__all__ = ["next_sequence"]


async def next_sequence(session: AsyncSession, year: int) -> int:
    """The next number of ``year``. The counter row stays locked until the transaction ends,
    and a rolled-back transaction gives its number back: no gaps, no duplicates."""
    statement = (
        update(ProtocolCounter)
        .where(ProtocolCounter.year == year)
        .values(last_value=ProtocolCounter.last_value + 1)
        .returning(ProtocolCounter.last_value)
    )
    value = (await session.execute(statement)).scalar_one_or_none()
    if value is None:
        await insert_ignore(session, ProtocolCounter, {"year": year, "last_value": 0})
        value = (await session.execute(statement)).scalar_one()
    return int(value)
