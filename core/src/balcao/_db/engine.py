"""Engine set-up for SQLite and PostgreSQL, and read/write units of work."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from balcao._db import inline, reader
from balcao._db.direct import DirectWriter, PlainWrite, PostgresWriter
from balcao._db.group import GroupCommit, Many, T, Unit, V
from balcao._db.url import asyncpg_dsn, check_database_url, owner_only

__all__ = ["Database"]

_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=FULL",
    # overwritten and deleted values are zeroed, not left in free pages for a copy to find
    "PRAGMA secure_delete=ON",
)
# the arguments of sqlite3.connect for a database file
_Connect = tuple[Sequence[Any], Mapping[str, Any]]
# Readers and the plain writer (direct.py) wait in their own thread; the writers on the event
# loop must not block it while another process writes: they fail at once and wait
# asynchronously (see _begin).
_THREAD_BUSY_MS = 30_000
_WRITE_WAIT_SECONDS = 30.0


def _prepare_sqlite(engine: AsyncEngine, busy_ms: int) -> None:
    # pysqlite's implicit BEGIN is deferred: a transaction that reads and then writes gets
    # SQLITE_BUSY at once, ignoring busy_timeout. We emit BEGIN ourselves, IMMEDIATE for writes.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        owner_only(engine.url.database)
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for statement in _setup(busy_ms):
            cursor.execute(statement)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("balcao_write", False)
        statement = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        if not _begin_in_place(connection.connection.driver_connection, statement):
            connection.exec_driver_sql(statement)


def _begin_in_place(driver: object, statement: str) -> bool:
    """Run ``statement`` (a BEGIN) at once where the connection can (``inline.py``,
    ``reader.py``); False where it cannot. Through SQLAlchemy's execute, a BEGIN costs about
    as much as a small write's INSERT, and on a read connection two hand-overs to its thread."""
    if not isinstance(driver, inline.InlineConnection | reader.ReadConnection):
        return False
    try:
        return driver.begin_in_place(statement)
    except sqlite3.OperationalError as exc:  # "database is locked": see _begin
        raise OperationalError(statement, None, exc) from exc


def _prepare_postgres(engine: AsyncEngine) -> None:
    # Measured at 100,000 cases: after five runs of a prepared statement PostgreSQL may switch
    # to a generic plan, made without the values. The overdue count then walked the whole
    # due-date index (16 ms against 5 with its values) and a filtered search took 44 ms
    # against 16. Our statements are cheap to plan and their values (a date, a state, words)
    # decide the plan, so every plan is made for its values.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("SET plan_cache_mode = force_custom_plan")
        cursor.close()


class Database:
    """The app's database: ``read()`` and ``write()`` sessions that commit on success."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        check_database_url(url)
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if not self.is_sqlite:
            engine_options.setdefault("pool_pre_ping", True)
        self._file: _Connect | None = _sqlite_file(url) if self.is_sqlite else None
        self.engine = create_async_engine(url, **_reading(self._file, engine_options))
        if not self.is_sqlite:
            _prepare_postgres(self.engine)
        self._write_engine = self.engine
        if self.is_sqlite:
            _prepare_sqlite(self.engine, _THREAD_BUSY_MS)
            if self._file is not None:
                self._write_engine = _sqlite_writer(self._file, url, engine_options)
        self._direct: dict[PlainWrite[Any], DirectWriter[Any] | PostgresWriter[Any] | None] = {}
        writer = self._write_engine.execution_options(balcao_write=True)
        self._reader = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writer = async_sessionmaker(writer, expire_on_commit=False)
        self._write_lock: asyncio.Lock | None = None
        # set after a commit that added work (see balcao._delivery.wake.announce)
        self.work_added = asyncio.Event()
        self._group_engine = None if self.is_sqlite else _group_engine(url, engine_options)
        grouper = self._writer
        if self._group_engine is not None:
            grouper = async_sessionmaker(
                self._group_engine.execution_options(balcao_write=True), expire_on_commit=False
            )
        self._group = GroupCommit(partial(self._transaction, grouper))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._reader() as session:
            yield session

    def write(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A write transaction; on SQLite one at a time per process, and BEGIN IMMEDIATE.
        It commits when the block ends; an exception leaves it rolled back."""
        return self._transaction(self._writer)

    @asynccontextmanager
    async def _transaction(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> AsyncIterator[AsyncSession]:
        async with self._serialized(), sessions() as session:
            await _begin(session)
            yield session
            await session.commit()
            if session.info.pop("balcao_wake", None):
                self.work_added.set()

    async def grouped(self, unit: Unit[T]) -> T:
        """Run ``unit`` in a write transaction shared with concurrent callers' units (one
        commit for all); returns after that transaction has committed. A unit may run
        twice: in a shared transaction that failed (rolled back), then alone. On PostgreSQL
        too: measured under load, one shared transaction took 2.5-4x the webhooks of one
        transaction each on the pool, at a quarter of the CPU per request."""
        return await self._group.run(unit)

    async def grouped_many(self, many: Many[V, T], value: V) -> T:
        """As ``grouped``, for an operation that takes the batch's values of its kind at
        once (one statement for all): ``many``'s result for ``value``, after the commit."""
        return await self._group.run_many(many, value)

    async def grouped_plain(self, write: PlainWrite[V], value: V) -> bool:
        """As ``grouped_many(write.engine, value)``, on a plain connection of the write's own
        (``direct.py``): a fraction of the event loop's cost. A True answer marks work added
        (the worker is woken). An in-memory SQLite database goes through the engine."""
        if write not in self._direct:
            self._direct[write] = self._writer_for(write)
        writer = self._direct[write]
        if writer is None:
            return await self.grouped_many(write.engine, value)
        return await writer.run(value)

    def _writer_for(self, write: PlainWrite[V]) -> DirectWriter[V] | PostgresWriter[V] | None:
        if not self.is_sqlite:
            return PostgresWriter(asyncpg_dsn(self.url), write.postgres, self.work_added.set)
        if self._file is None:
            return None
        connect = partial(_plain_sqlite, self._file)
        return DirectWriter(connect, write.sqlite, self._serialized, self.work_added.set)

    @asynccontextmanager
    async def _serialized(self) -> AsyncIterator[None]:
        if not self.is_sqlite:
            yield
            return
        if self._write_lock is None:
            self._write_lock = asyncio.Lock()
        async with self._write_lock:
            yield

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def dispose(self) -> None:
        for writer in self._direct.values():
            if writer is not None:
                await writer.close()
        await self.engine.dispose()
        if self._write_engine is not self.engine:
            await self._write_engine.dispose()
        if self._group_engine is not None:
            await self._group_engine.dispose()


def _setup(busy_ms: int) -> tuple[str, ...]:
    """What each new SQLite connection runs; the wait first, as even a pragma may need the
    lock another process holds."""
    return (f"PRAGMA busy_timeout={busy_ms}", *_SQLITE_PRAGMAS)


def _plain_sqlite(file: _Connect) -> sqlite3.Connection:
    """A plain connection to the file (for ``DirectWriter``), prepared as the engine's are;
    it waits for another process's lock in its thread."""
    arguments, keywords = file
    owner_only(str(arguments[0]))
    options = {**keywords, "isolation_level": None, "check_same_thread": False}
    connection: sqlite3.Connection = sqlite3.connect(*arguments, **options)
    for statement in _setup(_THREAD_BUSY_MS):
        connection.execute(statement)
    return connection


def _sqlite_file(url: str) -> _Connect | None:
    """How to connect to the database's file; None for an in-memory database, which has
    no second connection to the same data (its writes keep the reader's engine)."""
    address = make_url(url)
    arguments, keywords = address.get_dialect()().create_connect_args(address)
    path = str(arguments[0]) if arguments else ""
    if path in ("", ":memory:") or "mode=memory" in path:
        return None
    return arguments, keywords


def _reading(file: _Connect | None, options: dict[str, Any]) -> dict[str, Any]:
    """The reader engine's options: a database file's connections take one hand-over to
    their thread per statement (``reader.py``)."""
    if file is None:
        return options
    return {**options, "async_creator": _creator(reader.ReadConnection, file)}


def _creator(
    kind: Callable[[Callable[[], sqlite3.Connection]], aiosqlite.Connection], file: _Connect
) -> Callable[..., aiosqlite.Connection]:
    """An ``async_creator`` for ``create_async_engine``: ``kind`` of connection to the
    file (reads and writes touch it from the event loop's thread too: see their modules)."""
    arguments, keywords = file
    connect = partial(sqlite3.connect, *arguments, **{**keywords, "check_same_thread": False})

    def create(*_args: Any, **_kwargs: Any) -> aiosqlite.Connection:
        return kind(connect)

    return create


def _sqlite_writer(file: _Connect, url: str, options: dict[str, Any]) -> AsyncEngine:
    """The engine for write transactions: the same file, connections run in place."""
    engine = create_async_engine(
        url, async_creator=_creator(inline.InlineConnection, file), **options
    )
    _prepare_sqlite(engine, busy_ms=0)
    return engine


def _group_engine(url: str, options: dict[str, Any]) -> AsyncEngine:
    """PostgreSQL's engine for group commit. The group holds one transaction at a time, so
    one connection serves it. It skips the ping on checkout (a round trip per batch): a
    connection lost meanwhile (say, a server restart) fails the shared transaction, SQLAlchemy
    then discards the pool's older connections, and each unit runs again alone on a new one."""
    own = {**options, "pool_pre_ping": False, "pool_size": 1, "max_overflow": 1}
    engine = create_async_engine(url, **own)
    _prepare_postgres(engine)
    return engine


async def _begin(session: AsyncSession) -> None:
    """Begin the transaction. On SQLite that is BEGIN IMMEDIATE, waiting without blocking the
    event loop while another process (the worker, the CLI) holds the write lock."""
    loop = asyncio.get_running_loop()
    deadline, pause = loop.time() + _WRITE_WAIT_SECONDS, 0.002
    while True:
        try:
            await session.connection()
            return
        except OperationalError as exc:
            if "locked" not in str(exc.orig) or loop.time() > deadline:
                raise
        await session.rollback()
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.1)
