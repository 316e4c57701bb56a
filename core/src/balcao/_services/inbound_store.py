"""The write operation of ``Desk.persist_inbound``: one statement per group-commit batch,
on a plain connection (``insert_inbound`` on SQLite, ``insert_inbound_postgres``; see
``_db/direct.py``) or through the engine (``store_inbound``, for an in-memory database).
They store the same rows: the plain ones take the column types' conversions from the table."""

from __future__ import annotations

import importlib
import sqlite3
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from balcao._db.dialect import dialect_insert, dialect_name
from balcao._db.direct import PlainWrite
from balcao._db.models import InboundEvent
from balcao._db.types import table_of
from balcao._delivery.wake import CHANNEL, announce

__all__ = ["INBOUND_WRITE", "insert_inbound", "insert_inbound_postgres", "store_inbound"]

# rows per plain statement: 8 values each, well under SQLite's 32,766 variables
_ROWS_PER_INSERT = 500
# imported when first used: a SQLite deployment never loads PostgreSQL's
_DIALECTS = {
    "sqlite": "sqlalchemy.dialects.sqlite.aiosqlite",
    "postgresql": "sqlalchemy.dialects.postgresql.asyncpg",
}


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
    for sql, parameters in _plain_inserts("sqlite", list(firsts.values())):
        new.update(connection.execute(sql, parameters).fetchall())
    return _answers(events, firsts, new)


async def insert_inbound_postgres(connection: Any, events: list[dict[str, Any]]) -> list[bool]:
    """``store_inbound`` on a plain asyncpg connection, inside its transaction."""
    firsts = _firsts(events)
    new: set[tuple[str, str]] = set()
    for sql, parameters in _plain_inserts("postgresql", list(firsts.values())):
        new.update((row[0], row[1]) for row in await connection.fetch(sql, *parameters))
    if new:  # heard by the worker processes at commit (see balcao._delivery.wake)
        await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, "inbound")
    return _answers(events, firsts, new)


# on a plain connection of each database, or through the engine (an in-memory database)
INBOUND_WRITE = PlainWrite(
    sqlite=insert_inbound, postgres=insert_inbound_postgres, engine=store_inbound
)


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


def _plain_inserts(database: str, rows: list[dict[str, Any]]) -> Iterator[tuple[str, list[Any]]]:
    names = tuple(rows[0])
    converters = _converters(database, names)
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start : start + _ROWS_PER_INSERT]
        parameters = [
            value if convert is None else convert(value)
            for row in chunk
            for value, convert in zip((row[name] for name in names), converters, strict=True)
        ]
        yield _plain_sql(database, names, len(chunk)), parameters


@cache
def _converters(database: str, names: tuple[str, ...]) -> tuple[Callable[[Any], Any] | None, ...]:
    # what SQLAlchemy does to each value before the driver gets it (on SQLite, UTC
    # datetimes as text)
    dialect = importlib.import_module(_DIALECTS[database]).dialect()
    columns = table_of(InboundEvent).c
    return tuple(columns[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)


@cache
def _plain_sql(database: str, names: tuple[str, ...], rows: int) -> str:
    table = table_of(InboundEvent)
    columns = ", ".join(table.c[name].name for name in names)  # only the table's own names
    width = len(names)
    if database == "sqlite":
        values = ", ".join(["(" + ", ".join("?" * width) + ")"] * rows)
    else:  # asyncpg numbers its parameters
        values = ", ".join(
            "(" + ", ".join(f"${row * width + n + 1}" for n in range(width)) + ")"
            for row in range(rows)
        )
    return (  # every value is a bound parameter
        f"INSERT INTO {table.name} ({columns}) VALUES {values} "  # noqa: S608
        "ON CONFLICT DO NOTHING RETURNING channel, external_id"
    )


def _key(values: dict[str, Any]) -> tuple[str, str]:
    return values["channel"], values["external_id"]
