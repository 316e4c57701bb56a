"""SQLite: one write operation's batches, written on a plain sqlite3 connection in a thread.

Measured on the webhook, the hottest write: through the async engine a one-row write
transaction costs about 0.9 ms of event-loop CPU, spent in SQLAlchemy's and aiosqlite's
async layers around its three statements (BEGIN, INSERT, COMMIT); on a plain connection the
same transaction is about 0.1 ms of CPU, and in a thread the event loop pays only the
hand-over. So an operation that is a plain statement or two (the inbound events' insert)
can run so: concurrent callers' values are batched by a group commit (``group.py``), and one
call in a thread runs BEGIN IMMEDIATE, the operation and COMMIT, after which each caller is
answered (persist-then-acknowledge unchanged).

The process's write lock is the database's own (one write transaction at a time in the
process); a writer in another process (the worker, the CLI) is waited for, in the thread,
by ``busy_timeout``."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Generic, TypeVar

from balcao._db.group import GroupCommit
from balcao._db.url import owner_only

__all__ = ["SQLITE_PRAGMAS", "DirectWriter", "Plain"]

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=FULL",
    # overwritten and deleted values are zeroed, not left in free pages for a copy to find
    "PRAGMA secure_delete=ON",
)
_BUSY_MS = 30_000

V = TypeVar("V")
# the operation, in the transaction: True for each value that added work to a queue
Plain = Callable[[sqlite3.Connection, list[V]], list[bool]]


class DirectWriter(Generic[V]):
    """Runs ``plain`` over the batched values of concurrent ``run`` calls, one transaction
    per batch on its own connection; ``added_work`` is called after a commit that did."""

    def __init__(
        self,
        connect: tuple[Sequence[Any], Mapping[str, Any]],
        plain: Plain[V],
        lock: Callable[[], AbstractAsyncContextManager[None]],
        added_work: Callable[[], None],
    ) -> None:
        self._arguments, self._keywords = connect
        self._plain, self._added_work = plain, added_work
        self._group: GroupCommit[None] = GroupCommit(lock)
        self._connection: sqlite3.Connection | None = None

    async def run(self, value: V) -> bool:
        """``plain``'s answer for ``value``, once the transaction holding it has committed."""
        return await self._group.run_many(self._batch, value)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def _batch(self, _lock: None, values: list[V]) -> list[bool]:
        answers = await asyncio.to_thread(self._transaction, values)
        if any(answers):
            self._added_work()
        return answers

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
        owner_only(str(self._arguments[0]))
        # used by one thread at a time (the write lock), whichever of the pool's it is
        keywords = {**self._keywords, "isolation_level": None, "check_same_thread": False}
        connection: sqlite3.Connection = sqlite3.connect(*self._arguments, **keywords)
        # the wait first: even a pragma may need the lock another process holds
        for pragma in (f"PRAGMA busy_timeout={_BUSY_MS}", *SQLITE_PRAGMAS):
            connection.execute(pragma)
        self._connection = connection
        return connection
