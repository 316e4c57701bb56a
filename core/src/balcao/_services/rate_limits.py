"""Fixed-window counters shared by every app instance: one statement per hit."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from sqlalchemy import bindparam, case
from sqlalchemy.ext.asyncio import AsyncConnection

from balcao._db.dialect import dialect_insert, dialect_name
from balcao._db.models import RateLimitRow
from balcao._db.types import table_of

__all__ = ["hit"]


@functools.cache
def _statement(dialect: str) -> Any:
    """Built once per dialect: on the hot path of every public form, building and caching
    the statement again would cost more than running it."""
    table = table_of(RateLimitRow)
    moment = bindparam("now", type_=table.c.window_start.type)
    over = table.c.window_start <= bindparam("cutoff", type_=table.c.window_start.type)
    hits = bindparam("hits", type_=table.c.count.type)
    return (
        dialect_insert(dialect)(table)
        .values(key=bindparam("key"), window_start=moment, count=hits)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "window_start": case((over, moment), else_=table.c.window_start),
                "count": case((over, hits), else_=table.c.count + hits),
            },
        )
        .returning(table.c.count)
    )


async def hit(
    connection: AsyncConnection,
    now: dt.datetime,
    key: str,
    limit: int,
    window: dt.timedelta,
    hits: int = 1,
) -> bool:
    """Count ``hits`` more under ``key``, starting a new window when the last one is over;
    False once the count passes ``limit``. The row stays locked until the transaction ends."""
    values = {"key": key, "now": now, "cutoff": now - window, "hits": hits}
    statement = _statement(dialect_name(connection))
    count = (await connection.execute(statement, values)).scalar_one()
    return int(count) <= limit
