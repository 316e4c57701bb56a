"""SQLite write transactions: they run on the event loop, so waiting for another process's
write lock must not freeze the app. Inbound events are written on a plain sqlite3
connection in a thread (``_db/direct.py``): the same rows as through the engine, one commit
per batch, the worker woken. These use their own SQLite file on every suite run."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import DateTime, create_engine, text
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.exc import OperationalError

from balcao._db import direct, engine
from balcao._db.engine import Database
from balcao._db.models import InboundEvent
from balcao._db.types import UTCDateTime, table_of
from balcao._services.inbound_store import INBOUND_WRITE, store_inbound


async def _database(path: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{path}")
    async with database.write() as session:
        await session.execute(text("CREATE TABLE t (n INTEGER)"))
    return database


async def _insert(database: Database, n: int) -> None:
    async with database.write() as session:
        await session.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})


def _other_process_writing(
    path: Path, statement: str = "INSERT INTO t VALUES (1)"
) -> sqlite3.Connection:
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute(statement)
    return other


async def _still_waiting(waiting: asyncio.Task[object]) -> None:
    started = time.monotonic()
    for _ in range(20):  # the loop keeps running other work meanwhile
        await asyncio.sleep(0.01)
    assert time.monotonic() - started < 5
    assert not waiting.done()


async def test_a_write_waits_for_another_writer_while_the_app_keeps_serving(
    tmp_path: Path,
) -> None:
    database = await _database(tmp_path / "balcao.db")
    other = _other_process_writing(tmp_path / "balcao.db")
    waiting = asyncio.create_task(_insert(database, 2))
    await _still_waiting(waiting)
    other.execute("COMMIT")
    await asyncio.wait_for(waiting, 10)
    async with database.read() as session:
        assert sorted((await session.execute(text("SELECT n FROM t"))).scalars()) == [1, 2]
    other.close()
    await database.dispose()


async def test_a_write_gives_up_when_the_lock_is_never_released(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "_WRITE_WAIT_SECONDS", 0.2)
    database = await _database(tmp_path / "balcao.db")
    other = _other_process_writing(tmp_path / "balcao.db")
    with pytest.raises(OperationalError, match="locked"):
        await _insert(database, 2)
    other.execute("ROLLBACK")
    await _insert(database, 3)  # the failed wait left nothing half-done behind
    async with database.read() as session:
        assert list((await session.execute(text("SELECT n FROM t"))).scalars()) == [3]
    other.close()
    await database.dispose()


async def test_a_failed_write_is_rolled_back_and_readers_never_see_it(tmp_path: Path) -> None:
    database = await _database(tmp_path / "balcao.db")

    async def failing() -> None:
        async with database.write() as session:
            await session.execute(text("INSERT INTO t VALUES (7)"))
            raise RuntimeError("the request failed half-way")

    with pytest.raises(RuntimeError):
        await failing()
    await _insert(database, 8)
    async with database.read() as session:
        assert list((await session.execute(text("SELECT n FROM t"))).scalars()) == [8]
    await database.dispose()


async def test_a_read_returns_every_row_whole_or_streamed_from_one_snapshot(
    tmp_path: Path,
) -> None:
    # read connections fetch a statement's first rows with it and the rest when asked
    database = await _database(tmp_path / "balcao.db")
    async with database.write() as session:
        rows = [{"n": n} for n in range(1000)]
        await session.execute(text("INSERT INTO t VALUES (:n)"), rows)
    everything = text("SELECT n FROM t ORDER BY n")
    async with database.read() as session:
        whole = list((await session.execute(everything)).scalars())
        streamed = [n async for n in await session.stream_scalars(everything)]
        await _insert(database, 1000)  # committed while this read is open
        seen = (await session.execute(text("SELECT count(*) FROM t"))).scalar_one()
    assert whole == streamed == list(range(1000))
    assert seen == 1000
    async with database.read() as session:
        assert (await session.execute(text("SELECT max(n) FROM t"))).scalar_one() == 1000
    await database.dispose()


async def test_a_cancelled_read_does_not_hold_up_the_event_loop(tmp_path: Path) -> None:
    # its statement runs on in the connection's thread: ending the read waits behind it
    # there, not on the event loop
    database = await _database(tmp_path / "balcao.db")
    slow = text(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) "
        "SELECT count(*) FROM n"
    )

    async def report() -> None:
        async with database.read() as session:
            await session.execute(slow)

    task = asyncio.create_task(report())
    await asyncio.sleep(0.05)
    task.cancel()
    longest, last = 0.0, time.monotonic()
    while not task.done():
        await asyncio.sleep(0.01)
        now = time.monotonic()
        longest, last = max(longest, now - last), now
    assert task.cancelled()
    assert longest < 0.5  # the statement itself runs for about a second
    async with database.read() as session:
        assert (await session.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0
    await database.dispose()


async def test_an_in_memory_database_reads_what_it_wrote() -> None:
    database = Database("sqlite+aiosqlite://")
    async with database.write() as session:
        await session.execute(text("CREATE TABLE t (n INTEGER)"))
        await session.execute(text("INSERT INTO t VALUES (5)"))
    async with database.read() as session:
        assert list((await session.execute(text("SELECT n FROM t"))).scalars()) == [5]
    await database.dispose()


# -- inbound events on the plain connection (_db/direct.py) ----------------------------------

_COLUMNS = "channel, ordering_key, body, received_at, state, attempts, next_attempt_at"


def _inbound_database(path: Path) -> Database:
    engine = create_engine(f"sqlite:///{path}")
    table_of(InboundEvent).create(engine)
    engine.dispose()
    with sqlite3.connect(path) as connection:  # as the app's connections leave it
        connection.execute("PRAGMA journal_mode=WAL")
    return Database(f"sqlite+aiosqlite:///{path}")


def _event(external_id: str, at: dt.datetime, ordering_key: str | None = "c1") -> dict[str, Any]:
    return {
        "channel": "bench",
        "external_id": external_id,
        "ordering_key": ordering_key,
        "body": b"\x00sealed\xff",
        "received_at": at,
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": at,
    }


def _rows(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as connection:
        query = f"SELECT external_id, {_COLUMNS} FROM inbound_events ORDER BY id"  # noqa: S608
        return connection.execute(query).fetchall()


async def _plain(database: Database, values: dict[str, Any]) -> bool:
    return await database.grouped_plain(INBOUND_WRITE, values)


@pytest.mark.parametrize(
    "at",
    [
        dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC),  # no microseconds
        dt.datetime(2026, 3, 1, 8, 30, 5, 123, tzinfo=dt.timezone(dt.timedelta(hours=-4))),
    ],
)
async def test_the_plain_connection_stores_what_the_engine_stores(
    tmp_path: Path, at: dt.datetime
) -> None:
    database = _inbound_database(tmp_path / "balcao.db")
    assert await database.grouped_many(store_inbound, _event("engine", at)) is True
    assert await _plain(database, _event("plain", at)) is True
    assert await _plain(database, _event("none", at, ordering_key=None)) is True
    engine_row, plain_row, none_row = _rows(tmp_path / "balcao.db")
    assert plain_row[1:] == engine_row[1:]
    assert none_row[2] is None
    async with database.read() as session:  # read back as the worker reads it
        stored = await session.get(InboundEvent, 2)
    assert stored is not None and stored.received_at == at and stored.body == b"\x00sealed\xff"
    await database.dispose()


@pytest.mark.parametrize(
    "at",
    [
        dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 31, 23, 30, 5, 7, tzinfo=dt.timezone(dt.timedelta(hours=-4))),
        dt.datetime(999, 1, 2, 3, 4, 5, 999999, tzinfo=dt.timezone(dt.timedelta(hours=5))),
    ],
)
def test_sqlite_keeps_each_moment_in_the_text_sqlalchemy_writes(at: dt.datetime) -> None:
    """Rows written before keep comparing and sorting with new ones: the UTC text our
    column writes on SQLite is SQLAlchemy's own, to the microsecond."""
    dialect = sqlite_dialect.dialect()
    ours = UTCDateTime().bind_processor(dialect)
    theirs = DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert ours is not None and theirs is not None
    assert ours(at) == theirs(at.astimezone(dt.UTC).replace(tzinfo=None))
    assert ours(None) is None
    with pytest.raises(ValueError, match="naive"):
        ours(at.replace(tzinfo=None))


async def test_concurrent_events_share_one_commit_and_keep_their_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commits: list[str] = []
    opened = direct.DirectWriter._open

    def opening(writer: direct.DirectWriter[Any]) -> sqlite3.Connection:
        connection = opened(writer)
        connection.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
        return connection

    monkeypatch.setattr(direct.DirectWriter, "_open", opening)
    database = _inbound_database(tmp_path / "balcao.db")
    now = dt.datetime.now(dt.UTC)
    assert await _plain(database, _event("old", now)) is True
    keys = [f"m{n}" for n in range(30)] + ["m3", "old", "m7"]
    fresh = await asyncio.gather(*(_plain(database, _event(key, now)) for key in keys))
    assert fresh == [True] * 30 + [False, False, False]
    assert [row[0] for row in _rows(tmp_path / "balcao.db")] == ["old", *keys[:30]]
    assert 2 <= len(commits) <= 4  # 34 callers: the first alone, the rest together
    await database.dispose()


async def test_the_worker_is_woken_only_by_a_commit_that_added_an_event(tmp_path: Path) -> None:
    database = _inbound_database(tmp_path / "balcao.db")
    now = dt.datetime.now(dt.UTC)
    assert await _plain(database, _event("a", now)) is True
    assert database.work_added.is_set()
    database.work_added.clear()
    assert await _plain(database, _event("a", now)) is False  # a redelivery: nothing to do
    assert not database.work_added.is_set()
    await database.dispose()


async def test_an_event_waits_for_another_writer_while_the_app_keeps_serving(
    tmp_path: Path,
) -> None:
    database = _inbound_database(tmp_path / "balcao.db")
    other = _other_process_writing(tmp_path / "balcao.db", "DELETE FROM inbound_events")
    waiting = asyncio.create_task(_plain(database, _event("a", dt.datetime.now(dt.UTC))))
    await _still_waiting(waiting)
    other.execute("COMMIT")
    assert await asyncio.wait_for(waiting, 10) is True
    assert [row[0] for row in _rows(tmp_path / "balcao.db")] == ["a"]
    other.close()
    await database.dispose()


async def test_an_event_fails_when_the_lock_is_never_released_and_nothing_is_half_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "_THREAD_BUSY_MS", 200)
    database = _inbound_database(tmp_path / "balcao.db")
    other = _other_process_writing(tmp_path / "balcao.db", "DELETE FROM inbound_events")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        await _plain(database, _event("a", dt.datetime.now(dt.UTC)))
    other.execute("ROLLBACK")
    # the provider sends it again: stored as new, once
    assert await _plain(database, _event("a", dt.datetime.now(dt.UTC))) is True
    assert [row[0] for row in _rows(tmp_path / "balcao.db")] == ["a"]
    other.close()
    await database.dispose()


async def test_an_invalid_event_fails_only_its_own_caller(tmp_path: Path) -> None:
    database = _inbound_database(tmp_path / "balcao.db")
    now = dt.datetime.now(dt.UTC)
    broken = {**_event("broken", now), "body": None}  # the column is NOT NULL
    results = await asyncio.gather(
        _plain(database, _event("a", now)),
        _plain(database, broken),
        _plain(database, _event("b", now)),
        return_exceptions=True,
    )
    assert results[0] is True and results[2] is True
    assert isinstance(results[1], sqlite3.IntegrityError)
    # the shared transaction was rolled back, then each ran alone: a and b stored once
    assert [row[0] for row in _rows(tmp_path / "balcao.db")] == ["a", "b"]
    await database.dispose()
