"""Workers leave a heartbeat row; readiness and metrics read the newest one."""

from __future__ import annotations

import datetime as dt
import os
import socket

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import WorkerHeartbeat
from balcao._desk import Desk

__all__ = ["Heartbeat", "last_seen"]

# often enough for readiness, rarely enough not to compete with deliveries for the write lock
_INTERVAL = dt.timedelta(seconds=15)
_FORGET_AFTER = dt.timedelta(days=7)


class Heartbeat:
    """One worker's heartbeat, named after its host and process."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self._last: dt.datetime | None = None

    async def beat(self) -> None:
        now = self.desk.now()
        if self._last is not None and now - self._last < _INTERVAL:
            return
        async with self.desk.database.write() as session:
            row = await session.get(WorkerHeartbeat, self.name)
            if row is None:
                session.add(WorkerHeartbeat(name=self.name, seen_at=now))
            else:
                row.seen_at = now
            # workers that stopped long ago (older processes) are forgotten
            await session.execute(
                delete(WorkerHeartbeat).where(WorkerHeartbeat.seen_at < now - _FORGET_AFTER)
            )
        self._last = now


async def last_seen(session: AsyncSession) -> dt.datetime | None:
    """When any worker last finished a round (None: never)."""
    return (await session.execute(select(func.max(WorkerHeartbeat.seen_at)))).scalar()
