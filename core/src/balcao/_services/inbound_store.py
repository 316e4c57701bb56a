"""The write operation of ``Desk.persist_inbound``: one statement per group-commit batch,
through the engine (``store_inbound``) or, on a SQLite file, on a plain connection
(``insert_inbound``, see ``_db/direct.py``). Both store the same rows: the plain one takes
its column types' conversions from the table."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import dialect as sqlite_dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from balcao._db.dialect import dialect_insert, dialect_name
from balcao._db.models import InboundEvent
from balcao._db.types import table_of
from balcao._delivery.wake import announce

__all__ = ["insert_inbound", "store_inbound"]

# rows per plain statement: 8 values each, well under SQLite's 32,766 variables
_ROWS_PER_INSERT = 500


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
    firsts = _firsts(events)
    connection = await session.connection()
    result = await connection.execute(_statement(dialect_name(session)), list(firsts.values()))
    new = {(channel, external_id) for channel, external_id in result.all()}
    if new:
        await announce(session, "inbound")
    return _answers(events, firsts, new)


def insert_inbound(connection: sqlite3.Connection, events: list[dict[str, Any]]) -> list[bool]:
    """``store_inbound`` on a plain SQLite connection, inside its transaction."""
    firsts = _firsts(events)
    new: set[tuple[str, str]] = set()
    for sql, parameters in _plain_inserts(list(firsts.values())):
        new.update(connection.execute(sql, parameters).fetchall())
    return _answers(events, firsts, new)


def _firsts(events: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    firsts: dict[tuple[str, str], dict[str, Any]] = {}
    for values in events:  # in their order: the ids give the order of processing
        firsts.setdefault(_key(values), values)
    return firsts


def _answers(
    events: list[dict[str, Any]],
    firsts: dict[tuple[str, str], dict[str, Any]],
    new: set[tuple[str, str]],
) -> list[bool]:
    return [_key(values) in new and firsts[_key(values)] is values for values in events]


def _plain_inserts(rows: list[dict[str, Any]]) -> Iterator[tuple[str, list[Any]]]:
    names = tuple(rows[0])
    converters = _converters(names)
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start : start + _ROWS_PER_INSERT]
        parameters = [
            value if convert is None else convert(value)
            for row in chunk
            for value, convert in zip((row[name] for name in names), converters, strict=True)
        ]
        yield _plain_sql(names, len(chunk)), parameters


@cache
def _converters(names: tuple[str, ...]) -> tuple[Callable[[Any], Any] | None, ...]:
    # what SQLAlchemy does to each value before SQLite gets it (UTC datetimes as text)
    dialect, columns = sqlite_dialect(), table_of(InboundEvent).c
    return tuple(columns[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)


@cache
def _plain_sql(names: tuple[str, ...], rows: int) -> str:
    table = table_of(InboundEvent)
    columns = ", ".join(table.c[name].name for name in names)  # only the table's own names
    row = "(" + ", ".join("?" * len(names)) + ")"
    return (  # every value is a bound parameter
        f"INSERT INTO {table.name} ({columns}) VALUES {', '.join([row] * rows)} "  # noqa: S608
        "ON CONFLICT DO NOTHING RETURNING channel, external_id"
    )


def _key(values: dict[str, Any]) -> tuple[str, str]:
    return values["channel"], values["external_id"]
