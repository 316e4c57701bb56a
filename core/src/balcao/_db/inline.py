"""SQLite write connections that run on the event loop's own thread.

aiosqlite hands every call (cursor, execute, fetch, close: about fifty for one intake) to a
thread and back. For SQLite writes that is the wrong trade: writes are serialized anyway, a
statement takes microseconds, and each hand-over waits for a turn of a busy event loop while
the database's only write lock is held, so under load the lock is held several times longer
than the work needs. Write connections therefore execute in place; reads, which can be long
(reports, exports), keep a thread (``reader.py``: one hand-over per statement).

Only the place where calls run changes: the connection is an ``aiosqlite.Connection`` whose
queue runs each call at once, so SQLAlchemy's aiosqlite dialect drives it as it drives any
other. The commit is the exception: it waits for the disk, so it goes to a thread while the
loop serves other requests (whose writes then go together in the next transaction: see
``group.py``). The BEGIN that opens each write transaction does not go through SQLAlchemy's
execute at all (``begin``): measured, that saved about a third of an empty transaction's cost.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Generator
from typing import Any

import aiosqlite

__all__ = ["InlineConnection"]


class _RunNow:
    """Stands in for aiosqlite's queue to its worker thread: runs each call when queued."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:  # handed to the awaiting caller, as the thread would
            if future is not None:
                future.set_exception(exc)
            return
        if future is not None:
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connect, iter_chunk_size=64)
        self._tx = _RunNow()  # type: ignore[assignment]

    async def commit(self) -> None:
        # A commit waits for the disk (fsync, milliseconds): in a thread, so that the event
        # loop goes on serving requests meanwhile. The write lock is held either way, and
        # nothing else uses this connection until the commit returns.
        await asyncio.to_thread(self._conn.commit)

    def begin_in_place(self, statement: str) -> bool:
        """Run a BEGIN at once (``engine._begin_in_place``): every call runs in place here."""
        self._conn.execute(statement)
        return True

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        # the worker thread is never started: the queue above does its job
        return self._connect().__await__()
