"""The write operation of ``Desk.persist_inbound``: one statement per group-commit batch."""

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
    # a Core statement over the table (no ORM bulk-insert machinery), built once per dialect;
    # given several rows, SQLAlchemy sends them as one multi-row INSERT
    table = InboundEvent.__table__
    insert = dialect_insert(dialect)(table).on_conflict_do_nothing()
    return insert.returning(table.c.channel, table.c.external_id)  # type: ignore[no-any-return]


async def store_inbound(session: AsyncSession, events: list[dict[str, Any]]) -> list[bool]:
    """Insert each raw event unless its (channel, external id) is stored, or comes earlier in
    ``events``; True for each new one."""
    firsts: dict[tuple[str, str], dict[str, Any]] = {}
    for values in events:  # in their order: the ids give the order of processing
        firsts.setdefault(_key(values), values)
    connection = await session.connection()
    rows = list(firsts.values())
    result = await connection.execute(_statement(dialect_name(session)), rows)
    new = {(channel, external_id) for channel, external_id in result.all()}
    if new:
        await announce(session, "inbound")
    return [_key(values) in new and firsts[_key(values)] is values for values in events]


def _key(values: dict[str, Any]) -> tuple[str, str]:
    return values["channel"], values["external_id"]
