"""SQLite write transactions: they run on the event loop, so waiting for another process's
write lock must not freeze the app. These use their own SQLite file on every suite run."""

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from balcao._db import engine
from balcao._db.engine import Database


async def _database(path: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{path}")
    async with database.write() as session:
        await session.execute(text("CREATE TABLE t (n INTEGER)"))
    return database


async def _insert(database: Database, n: int) -> None:
    async with database.write() as session:
        await session.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})


def _other_process_writing(path: Path) -> sqlite3.Connection:
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t VALUES (1)")
    return other


async def test_a_write_waits_for_another_writer_while_the_app_keeps_serving(
    tmp_path: Path,
) -> None:
    database = await _database(tmp_path / "balcao.db")
    other = _other_process_writing(tmp_path / "balcao.db")
    waiting = asyncio.create_task(_insert(database, 2))
    started = time.monotonic()
    for _ in range(20):  # the loop keeps running other work meanwhile
        await asyncio.sleep(0.01)
    assert time.monotonic() - started < 5
    assert not waiting.done()
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


async def test_an_in_memory_database_reads_what_it_wrote() -> None:
    database = Database("sqlite+aiosqlite://")
    async with database.write() as session:
        await session.execute(text("CREATE TABLE t (n INTEGER)"))
        await session.execute(text("INSERT INTO t VALUES (5)"))
    async with database.read() as session:
        assert list((await session.execute(text("SELECT n FROM t"))).scalars()) == [5]
    await database.dispose()
