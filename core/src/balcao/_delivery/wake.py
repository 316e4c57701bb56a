"""Waking idle workers when work is committed: in-process for the embedded worker, and
LISTEN/NOTIFY between processes on PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.dialect import locks_rows
from balcao._db.url import asyncpg_dsn

__all__ = ["CHANNEL", "Listener", "announce"]

log = logging.getLogger("balcao.worker")
CHANNEL = "balcao_work"
_NOTIFY = text(f"SELECT pg_notify('{CHANNEL}', :queue)")


async def announce(session: AsyncSession, queue: str) -> None:
    """Say, inside the transaction that adds work, that ``queue`` has some: PostgreSQL
    delivers the notification at commit (never for a rolled-back change), and the
    database wakes this process's own worker after commit."""
    wanted: set[str] = session.info.setdefault("balcao_wake", set())
    if queue in wanted:
        return
    wanted.add(queue)
    if locks_rows(session):  # PostgreSQL
        await session.execute(_NOTIFY, {"queue": queue})


class Listener:
    """A dedicated asyncpg connection that LISTENs and sets ``wake`` on each notification;
    reconnects after a lost connection (the worker's periodic look covers the gap)."""

    def __init__(self, url: str, wake: asyncio.Event) -> None:
        self.dsn = asyncpg_dsn(url)
        self.wake = wake
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _listen(self) -> None:
        import asyncpg  # type: ignore[import-untyped]

        while True:
            try:
                connection = await asyncpg.connect(self.dsn)
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("LISTEN connection failed (%s); retrying", exc)
                await asyncio.sleep(5)
                continue
            await self._hold(connection)

    async def _hold(self, connection: Any) -> None:
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _c: lost.set())
        try:
            await connection.add_listener(CHANNEL, lambda *_args: self.wake.set())
            self.wake.set()  # work may have come while we were not listening
            await lost.wait()
        finally:
            with contextlib.suppress(Exception):
                await connection.close()
