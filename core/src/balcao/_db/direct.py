"""One write operation's batches, written on a plain database connection of its own.

Measured on the webhook, the hottest write: through the async engine a one-row write
transaction costs about 0.9 ms of event-loop CPU on either database, spent in SQLAlchemy's
async layers around its three statements (BEGIN, INSERT, COMMIT). The same transaction on a
plain connection is about 0.1 ms of CPU on SQLite (in a thread, the event loop paying only
the hand-over) and 0.2 ms on PostgreSQL (asyncpg). So an operation that is a plain statement
or two (the inbound events' insert, ``PlainWrite``) can run so: concurrent callers' values
are batched by a group commit (``group.py``), one transaction writes each batch, and each
caller is answered after its commit (persist-then-acknowledge unchanged).

SQLite (``DirectWriter``): one call in a thread runs BEGIN IMMEDIATE, the operation and
COMMIT. The process's write lock is the database's own (one write transaction at a time in
the process); a writer in another process (the worker, the CLI) is waited for, in the
thread, by ``busy_timeout``. PostgreSQL (``PostgresWriter``): one asyncpg connection, opened
when first needed and again after it was lost (a server restart fails one batch, whose units
then run again alone on a new connection)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from balcao._db.group import GroupCommit

__all__ = ["DirectWriter", "Plain", "PlainWrite", "PostgresWriter"]

V = TypeVar("V")
# the operation, in the transaction: True for each value that added work to a queue
Plain = Callable[[sqlite3.Connection, list[V]], list[bool]]
# the same on PostgreSQL, given an asyncpg connection (which says itself, in the
# transaction, that work was added: the worker processes hear it at commit)
PostgresPlain = Callable[[Any, list[V]], Awaitable[list[bool]]]


@dataclass(frozen=True)
class PlainWrite(Generic[V]):
    """One operation, for ``Database.grouped_plain``: on plain connections of SQLite and of
    PostgreSQL, and through the engine (an in-memory database)."""

    sqlite: Plain[V]
    postgres: PostgresPlain[V]
    engine: Callable[[Any, list[V]], Awaitable[list[bool]]]


class _Writer(Generic[V]):
    """Answers each ``run`` once the batch holding its value has committed; calls
    ``added_work`` for an answer that added work."""

    _group: GroupCommit[Any]
    _many: Callable[[Any, list[V]], Awaitable[list[bool]]]
    _added_work: Callable[[], None]

    async def run(self, value: V) -> bool:
        """The operation's answer for ``value``, once the transaction holding it committed."""
        answer = await self._group.run_many(self._many, value)
        if answer:
            self._added_work()
        return answer


class DirectWriter(_Writer[V]):
    """Runs ``plain`` over the batched values of concurrent ``run`` calls, one transaction
    per batch on its own connection (made by ``connect``, used by one thread at a time), in
    a thread."""

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        plain: Plain[V],
        lock: Callable[[], AbstractAsyncContextManager[None]],
        added_work: Callable[[], None],
    ) -> None:
        self._connect, self._plain, self._added_work = connect, plain, added_work
        self._group, self._many = GroupCommit(lock), self._batch
        self._connection: sqlite3.Connection | None = None

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def _batch(self, _lock: None, values: list[V]) -> list[bool]:
        return await asyncio.to_thread(self._transaction, values)

    def _transaction(self, values: list[V]) -> list[bool]:
        connection = self._connection or self._open()
        connection.execute("BEGIN IMMEDIATE")
        try:
            answers = self._plain(connection, values)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        return answers

    def _open(self) -> sqlite3.Connection:
        self._connection = self._connect()
        return self._connection


class PostgresWriter(_Writer[V]):
    """Runs ``plain`` over the batched values of concurrent ``run`` calls, one transaction
    per batch on its own asyncpg connection."""

    def __init__(self, dsn: str, plain: PostgresPlain[V], added_work: Callable[[], None]) -> None:
        self._dsn, self._added_work = dsn, added_work
        self._group, self._many = GroupCommit(self._transaction), plain
        self._connection: Any = None

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):  # already lost: nothing to close
                await connection.close()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Any]:
        connection = self._connection or await self._open()
        try:
            async with connection.transaction():
                yield connection
        except BaseException:
            if connection.is_closed():  # lost: the next transaction opens a new one
                self._connection = None
            raise

    async def _open(self) -> Any:
        import asyncpg  # type: ignore[import-untyped]  # only on PostgreSQL

        self._connection = await asyncpg.connect(self._dsn)
        return self._connection
