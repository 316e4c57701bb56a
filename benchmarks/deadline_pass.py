"""One first pass of the deadline watcher over N overdue deadlines, in a process of its own.

    python benchmarks/deadline_pass.py N (500 | one)

``500``: as it runs (chunks of 500); ``one``: all in one write transaction, as it ran before.
Prints the pass's time, its longest write transaction and the RSS it added (peak during the
pass minus the RSS before it). Run by ``startup_memory.py``; the database is
``BALCAO_DATABASE_URL`` (a fresh SQLite file), with the installed plugins listening."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from balcao import load_settings
from balcao._db.models import DeadlineRow, EventDelivery, ManifestationRow
from balcao._runtime import build_runtime
from balcao._services.deadline_watch import CHUNK, watch_deadlines


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # the peak RSS (VmHWM) starts again from here


def _kb(field: str) -> int:
    status = Path("/proc/self/status").read_text().splitlines()
    return next(int(x.split()[1]) for x in status if x.startswith(field))


def _rows(n: int, today: dt.date, now: dt.datetime) -> tuple[list[Any], list[Any]]:
    manifestations = [
        {
            "id": i,
            "protocol": f"2026-{i:06d}",
            "year": 2026,
            "sequence": i,
            "kind": "reclamacao",
            "channel": "webform",
            "state": "triage",
            "created_at": now,
            "updated_at": now,
            "tags": [],
            "extra": {},
        }
        for i in range(1, n + 1)
    ]
    deadlines = [
        {
            "manifestation_id": i,
            "purpose": "response",
            "due_on": today - dt.timedelta(days=1 + i % 60),
            "started_on": today - dt.timedelta(days=90),
        }
        for i in range(1, n + 1)
    ]
    return manifestations, deadlines


def _timing(database: Any) -> list[float]:
    """Wrap the database's write transactions to record how long each one is open."""
    durations: list[float] = []
    original = database.write

    @asynccontextmanager
    async def write() -> AsyncIterator[Any]:
        start = time.perf_counter()
        async with original() as session:
            yield session
        durations.append(time.perf_counter() - start)

    database.write = write
    return durations


async def run(n: int, chunk: int) -> None:
    runtime = build_runtime(load_settings())
    desk = runtime.desk
    await runtime.upgrade_database()
    manifestations, deadlines = _rows(n, desk.today(), desk.now())
    async with desk.database.write() as session:
        for start in range(0, n, 5000):
            await session.execute(insert(ManifestationRow), manifestations[start : start + 5000])
            await session.execute(insert(DeadlineRow), deadlines[start : start + 5000])
    del manifestations, deadlines
    durations = _timing(desk.database)
    _reset_peak()
    before, start = _kb("VmRSS"), time.perf_counter()
    await watch_deadlines(desk, chunk)
    took, added = time.perf_counter() - start, _kb("VmHWM") - before
    async with desk.database.read() as session:
        events = await session.scalar(select(func.count()).select_from(EventDelivery))
    await runtime.close()
    label = f"chunks of {chunk}" if chunk < n else "one transaction"
    print(
        f"deadline pass, {n:,} overdue, {label}: {took:.2f} s, {len(durations)} write "
        f"transactions, longest {max(durations):.3f} s, +{added / 1024:.0f} MB RSS, "
        f"{events:,} event rows"
    )


if __name__ == "__main__":
    count, mode = int(sys.argv[1]), sys.argv[2]
    asyncio.run(run(count, CHUNK if mode == "500" else count + 1))
