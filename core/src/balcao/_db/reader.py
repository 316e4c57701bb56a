"""SQLite read connections: one hand-over to the connection's thread per statement.

Through aiosqlite a statement takes four hand-overs to the connection's thread and back
(make a cursor, execute, fetch, close), and a read transaction three more (its BEGIN, the
rollback that ends it and the pool's own rollback): 47 for one page of the staff inbox,
measured, about as much time as the page's SQL. Here a statement is executed and its first
rows fetched in one hand-over. Making and closing cursors, the deferred BEGIN (it takes no
lock) and rollbacks run in place: none of them waits for the disk or for a lock. The
statements themselves, which can be long (reports, exports) or wait for another process's
lock, keep the thread, and so do commits. Rows past the first batch are fetched as
SQLAlchemy asks for them, so a streamed result stays streamed."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import aiosqlite
from aiosqlite.context import contextmanager

__all__ = ["ReadConnection"]

T = TypeVar("T")
# rows fetched with the statement: a page's statements return fewer
_FIRST_ROWS = 256


def _run(cursor: sqlite3.Cursor, sql: str, parameters: Any) -> tuple[list[Any], bool]:
    """Execute and fetch the first rows (in the thread); whether more rows may follow."""
    cursor.execute(sql, parameters)
    if cursor.description is None:
        return [], False
    rows = cursor.fetchmany(_FIRST_ROWS)
    return rows, len(rows) == _FIRST_ROWS


class _Cursor(aiosqlite.Cursor):
    def __init__(self, conn: aiosqlite.Connection, cursor: sqlite3.Cursor) -> None:
        super().__init__(conn, cursor)
        self._rows: list[Any] = []  # fetched, not yet handed out
        self._more = False

    async def _in_thread(self, function: Callable[..., T], *args: Any) -> T:
        return await self._execute(function, *args)  # type: ignore[no-untyped-call,no-any-return]

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> _Cursor:
        self._rows, self._more = await self._in_thread(_run, self._cursor, sql, parameters or ())
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> _Cursor:
        self._rows, self._more = [], False
        await self._in_thread(self._cursor.executemany, sql, parameters)
        return self

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        if self._more:
            rows += await self._in_thread(self._cursor.fetchall)
            self._more = False
        return rows

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        wanted = self._cursor.arraysize if size is None else size
        if len(self._rows) < wanted and self._more:
            missing = wanted - len(self._rows)
            fetched = await self._in_thread(self._cursor.fetchmany, missing)
            self._rows += fetched
            self._more = len(fetched) == missing
        rows, self._rows = self._rows[:wanted], self._rows[wanted:]
        return rows

    async def fetchone(self) -> Any:
        rows = await self.fetchmany(1)
        return rows[0] if rows else None

    async def close(self) -> None:
        self._rows, self._more = [], False
        self._cursor.close()


class ReadConnection(aiosqlite.Connection):
    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connect, iter_chunk_size=64)
        # as SQLAlchemy does for the connections it makes itself: a process that ends
        # without closing its engine (an error at start-up) must not wait for this thread
        self._thread.daemon = True

    @contextmanager
    async def cursor(self) -> aiosqlite.Cursor:
        return _Cursor(self, self._conn.cursor())

    async def rollback(self) -> None:
        self._conn.rollback()

    def begin_in_place(self, statement: str) -> bool:
        """Run the deferred BEGIN at once (it takes no lock); False for another (``BEGIN
        IMMEDIATE`` may wait for another process: in the thread)."""
        if statement != "BEGIN":
            return False
        self._conn.execute(statement)
        return True
