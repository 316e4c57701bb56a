"""One write operation's batches, written on a plain database connection of its own.

Measured on the webhook, the hottest write: through the async engine a one-row write
transaction costs about 0.9 ms of event-loop CPU on either database, spent in SQLAlchemy's
async layers around its three statements (BEGIN, INSERT, COMMIT). The same transaction on a
plain connection is about 0.1 ms of CPU on SQLite (in a thread, the event loop paying only
the hand-over) and 0.2 ms on PostgreSQL (asyncpg). So an operation that is a plain statement
or two (the inbound events' insert, ``PlainWrite``) can run so: concurrent callers' values
are batched by a group commit (``group.py``), one transaction writes each batch, and each
caller is answered after its commit (persist-then-acknowledge unchanged).

SQLite (``DirectWriter``): BEGIN IMMEDIATE and the operation run on the event loop, as the
engine's writes do (CPU work, which the GIL serialises wherever it runs), and COMMIT, which
waits for the fsync, in a thread. In a thread the whole transaction took 0.83 ms a batch
under load, against 0.35 ms alone: two hand-overs and the insert's Python on a cold core; so
split, the webhook at 8 connections took 5-8% more requests. The process's write lock is
the database's own (one write transaction at a time in the process); a writer in another
process (the worker, the CLI) makes the BEGIN fail at once on the loop, and it is waited
for in a thread, with ``busy_timeout``.

PostgreSQL (``PostgresWriter``): one asyncpg connection, opened when first needed and again
after it was lost (a server restart fails one batch, whose units then run again alone on a
new connection)."""

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
    per batch on its own connection (made by ``connect``, used by one thread at a time)."""

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
        self._wait_ms = 0  # the connection's busy_timeout, used only in a thread

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def _batch(self, _lock: None, values: list[V]) -> list[bool]:
        connection = self._connection
        if connection is None:
            connection = await asyncio.to_thread(self._open)
        await self._begin(connection)
        try:
            answers = self._plain(connection, values)
        except BaseException:
            _rollback(connection)
            raise
        await _commit(connection)
        return answers

    async def _begin(self, connection: sqlite3.Connection) -> None:
        try:
            connection.execute("BEGIN IMMEDIATE")  # busy_timeout 0 here: never waits
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:  # its extended codes too
                raise
            await asyncio.to_thread(self._begin_waiting, connection)

    def _begin_waiting(self, connection: sqlite3.Connection) -> None:
        connection.execute(f"PRAGMA busy_timeout={self._wait_ms}")
        try:
            connection.execute("BEGIN IMMEDIATE")
        finally:
            connection.execute("PRAGMA busy_timeout=0")

    def _open(self) -> sqlite3.Connection:
        connection = self._connect()  # its setup may wait for another process: in a thread
        self._wait_ms = int(connection.execute("PRAGMA busy_timeout").fetchone()[0])
        connection.execute("PRAGMA busy_timeout=0")
        self._connection = connection
        return connection


async def _commit(connection: sqlite3.Connection) -> None:
    try:
        await asyncio.to_thread(connection.execute, "COMMIT")
    except asyncio.CancelledError:
        raise  # the thread goes on and commits: the connection is its own until then
    except BaseException:
        _rollback(connection)
        raise


def _rollback(connection: sqlite3.Connection) -> None:
    # some errors (a full disk) end the transaction themselves: a ROLLBACK would then hide them
    if connection.in_transaction:
        connection.execute("ROLLBACK")


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
