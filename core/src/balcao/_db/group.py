"""Group commit: the write units of concurrent requests share one transaction.

A webhook must answer only after its message is committed, and on SQLite each commit is an
fsync. Units that arrive while a transaction is being written wait and then go together in
the next one: one commit, one fsync for all of them, and each caller is answered only after
the commit that holds its unit (persist-then-acknowledge unchanged). When a shared
transaction fails, its units are run again one transaction each, so that one bad unit fails
only its own caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["GroupCommit", "Unit"]

T = TypeVar("T")
Unit = Callable[[AsyncSession], Awaitable[T]]
_Waiting = tuple[Unit[Any], "asyncio.Future[Any]"]
# the longest a unit waits for others (against a commit's fsync: milliseconds)
_MAX_WAIT = 0.002


class GroupCommit:
    """Runs units given to ``run`` in shared write transactions opened by ``write``."""

    def __init__(self, write: Callable[[], AbstractAsyncContextManager[AsyncSession]]) -> None:
        self._write = write
        self._waiting: list[_Waiting] = []
        self._flusher: asyncio.Task[None] | None = None
        self._last = 0  # size of the last batch

    async def run(self, unit: Unit[T]) -> T:
        """The unit's result, once the transaction holding it has committed."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiting.append((unit, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        try:
            while self._waiting:
                await self._gather()
                batch, self._waiting = self._waiting, []
                await self._commit(batch)
        finally:
            for _, future in self._waiting:  # only when cancelled (shutdown)
                future.cancel()
            self._waiting = []

    async def _gather(self) -> None:
        """Let the requests the loop is handling join: turns of the loop until one adds no
        unit, then, while the batch is smaller than the last one, a short wait for the
        callers just answered, whose next requests are on their way (else the callers split
        into two groups taking turns, each paying a commit)."""
        loop = asyncio.get_running_loop()
        deadline, size = loop.time() + _MAX_WAIT, -1
        while len(self._waiting) != size:
            size = len(self._waiting)
            await asyncio.sleep(0)
        while len(self._waiting) < self._last and loop.time() < deadline:  # noqa: ASYNC110 - bounded, counts arrivals
            await asyncio.sleep(_MAX_WAIT / 10)
        self._last = len(self._waiting)

    async def _commit(self, batch: list[_Waiting]) -> None:
        if len(batch) > 1 and await self._together(batch):
            return
        for unit, future in batch:
            await self._alone(unit, future)

    async def _together(self, batch: list[_Waiting]) -> bool:
        """Whether the batch committed in one transaction (False: it was rolled back)."""
        try:
            async with self._write() as session:
                results = [await unit(session) for unit, _ in batch]
        except Exception:  # each unit is run again alone
            return False
        for (_, future), result in zip(batch, results, strict=True):
            _settle(future, result, None)
        return True

    async def _alone(self, unit: Unit[Any], future: asyncio.Future[Any]) -> None:
        try:
            async with self._write() as session:
                result = await unit(session)
        except Exception as exc:
            _settle(future, None, exc)
        else:
            _settle(future, result, None)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # the caller went away (its request was cancelled)
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
