"""Concurrent inbound events share one write transaction (one commit, one fsync on SQLite),
each caller answered after that commit; a unit that fails fails only its own caller."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db import direct, group
from balcao.testing import Balcao


def _count_commits(balcao: Balcao, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Commits of the engine's write transactions and of the plain connection that writes
    inbound events (``_db/direct.py``): on SQLite its COMMITs, on PostgreSQL its
    transactions."""
    commits = [0]
    engine = balcao.desk.database._write_engine.sync_engine

    @event.listens_for(engine, "commit")
    def _on_commit(_connection: object) -> None:
        commits[0] += 1

    def counted(sql: str) -> None:
        commits[0] += sql == "COMMIT"

    opened = direct.DirectWriter._open

    def opening(writer: direct.DirectWriter[object]) -> sqlite3.Connection:
        connection = opened(writer)
        connection.set_trace_callback(counted)
        return connection

    monkeypatch.setattr(direct.DirectWriter, "_open", opening)
    transaction = direct.PostgresWriter._transaction

    def counting(writer: direct.PostgresWriter[object]) -> AbstractAsyncContextManager[object]:
        commits[0] += 1
        return transaction(writer)

    monkeypatch.setattr(direct.PostgresWriter, "_transaction", counting)
    return commits


async def _stored(balcao: Balcao) -> list[str]:
    async with balcao.desk.database.read() as session:
        rows = await session.execute(
            text("SELECT external_id FROM inbound_events WHERE channel = 'bench' ORDER BY id")
        )
        return [row[0] for row in rows]


async def test_concurrent_inbound_events_share_one_commit(
    balcao: Balcao, monkeypatch: pytest.MonkeyPatch
) -> None:
    commits = _count_commits(balcao, monkeypatch)
    keys = [f"m{n}" for n in range(20)] + ["m3", "m7"]  # two redeliveries among them
    fresh = await asyncio.gather(
        *(balcao.desk.persist_inbound("bench", key, b"{}") for key in keys)
    )
    assert fresh == [True] * 20 + [False, False]
    assert sorted(await _stored(balcao)) == sorted(set(keys))
    # 22 callers, far fewer commits: the batch went together
    assert 1 <= commits[0] <= 3


async def test_a_failing_unit_fails_only_its_caller(balcao: Balcao) -> None:
    async def good(session: AsyncSession) -> str:
        await session.execute(
            text(
                "INSERT INTO inbound_events (channel, external_id, body, received_at, state, "
                "attempts, next_attempt_at) VALUES ('bench', 'good', :body, :at, 'done', 0, :at)"
            ),
            {"at": balcao.desk.now(), "body": b"\x00"},
        )
        return "stored"

    async def bad(session: AsyncSession) -> str:
        await session.execute(text("SELECT * FROM no_such_table"))
        return "never"

    results = await asyncio.gather(
        balcao.desk.database.grouped(good),
        balcao.desk.database.grouped(bad),
        return_exceptions=True,
    )
    assert results[0] == "stored"
    assert isinstance(results[1], Exception)
    # the good unit was rolled back with the shared transaction, then stored alone: once
    assert await _stored(balcao) == ["good"]


@pytest.mark.parametrize("callers", [1, 64])
async def test_every_acknowledged_event_is_committed(balcao: Balcao, callers: int) -> None:
    keys = [f"k{n}" for n in range(callers)]
    await asyncio.gather(*(balcao.desk.persist_inbound("bench", key, b"{}") for key in keys))
    # a fresh connection (another transaction) sees every one of them
    assert sorted(await _stored(balcao)) == sorted(keys)


async def test_a_batch_with_a_stored_event_stores_the_others_once_in_order(
    balcao: Balcao,
) -> None:
    assert await balcao.desk.persist_inbound("bench", "old", b"{}") is True
    keys = ["a", "b", "old", "c", "b", "d"]
    fresh = await asyncio.gather(
        *(balcao.desk.persist_inbound("bench", key, b"{}") for key in keys)
    )
    # the redelivery of a stored event, and the second "b" of the batch, are duplicates
    assert fresh == [True, True, False, True, False, True]
    # each stored once, in the order the callers came (the order they are processed in)
    assert await _stored(balcao) == ["old", "a", "b", "c", "d"]


async def test_events_and_other_units_share_a_batch_and_survive_a_failing_unit(
    balcao: Balcao,
) -> None:
    async def bad(session: AsyncSession) -> str:
        await session.execute(text("SELECT * FROM no_such_table"))
        return "never"

    async def good(session: AsyncSession) -> str:
        return "done"

    # (on a SQLite file the events go to a batch of their own, on the plain connection of
    # _db/direct.py: every answer is the same)
    results = await asyncio.gather(
        balcao.desk.persist_inbound("bench", "x", b"{}"),
        balcao.desk.database.grouped(good),
        balcao.desk.database.grouped(bad),
        balcao.desk.persist_inbound("bench", "y", b"{}"),
        balcao.desk.persist_inbound("bench", "x", b"{}"),
        return_exceptions=True,
    )
    assert results[:2] == [True, "done"]
    assert isinstance(results[2], Exception)
    # after the rollback each ran alone: the first "x" stored, its repeat a duplicate
    assert results[3:] == [True, False]
    assert await _stored(balcao) == ["x", "y"]


async def test_a_lone_unit_whose_transaction_failed_runs_again(balcao: Balcao) -> None:
    tries: list[int] = []

    async def flaky(session: AsyncSession) -> str:
        # fails in its first transaction, as on a connection lost since the last batch
        tries.append(1)
        if len(tries) == 1:
            raise ConnectionResetError("connection lost")
        await session.execute(text("SELECT 1"))
        return "done"

    assert await balcao.desk.database.grouped(flaky) == "done"
    assert len(tries) == 2


async def test_a_batch_waiting_for_its_callers_commits_when_the_last_one_arrives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After a commit answers four callers, the next batch waits for their next units, and
    goes as soon as the fourth arrives: not at the end of its longest wait (made 60 s here,
    so that a batch that waited for it would fail the test's bound)."""
    monkeypatch.setattr(group, "_MAX_WAIT", 60.0)
    batches: list[list[str]] = []

    @asynccontextmanager
    async def write() -> AsyncIterator[None]:
        yield

    async def store(_handle: None, values: list[str]) -> list[str]:
        batches.append(values)
        return values

    commit = group.GroupCommit(write)
    assert await asyncio.gather(*(commit.run_many(store, f"a{n}") for n in range(4)))

    async def late(value: str) -> str:
        await asyncio.sleep(0.05)
        return await commit.run_many(store, value)

    calls = [commit.run_many(store, f"b{n}") for n in range(3)] + [late("b3")]
    answered = await asyncio.wait_for(asyncio.gather(*calls), timeout=2)
    assert answered == ["b0", "b1", "b2", "b3"]
    assert batches == [["a0", "a1", "a2", "a3"], ["b0", "b1", "b2", "b3"]]
