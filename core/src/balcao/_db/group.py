"""Group commit: the write units of concurrent requests share one transaction.

A webhook must answer only after its message is committed, and on SQLite each commit is an
fsync. Units that arrive while a transaction is being written wait and then go together in
the next one: one commit, one fsync for all of them, and each caller is answered only after
the commit that holds its unit (persist-then-acknowledge unchanged). When a
transaction fails, its units are run again one transaction each, so that one bad unit fails
only its own caller.

Units of one kind may also go to the transaction as values of one operation (``run_many``):
the operation gets every such value of the batch at once and answers each, so that, say, the
webhooks of a batch are stored by one multi-row statement instead of one statement each.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["GroupCommit", "Many", "Unit"]

T = TypeVar("T")
V = TypeVar("V")
H = TypeVar("H")  # what a write transaction hands its units (a session, on the engine)
Unit = Callable[[AsyncSession], Awaitable[T]]
# an operation over several values in one transaction: one result per value, in their order
Many = Callable[[AsyncSession, list[V]], Awaitable[list[T]]]
_Op = Callable[[Any, list[Any]], Awaitable[list[Any]]]
_Waiting = tuple[_Op, Any, "asyncio.Future[Any]"]
# the longest a unit waits for others (against a commit's fsync: milliseconds)
_MAX_WAIT = 0.002


class GroupCommit(Generic[H]):
    """Runs units given to ``run`` in shared write transactions opened by ``write``."""

    def __init__(self, write: Callable[[], AbstractAsyncContextManager[H]]) -> None:
        self._write = write
        self._waiting: list[_Waiting] = []
        self._flusher: asyncio.Task[None] | None = None
        # callers active at the end of the last commit: the ones it answered and the ones
        # that queued meanwhile
        self._callers = 0
        # set while the batch waits for those callers: resolved by the last one to arrive
        self._full: asyncio.Future[None] | None = None

    async def run(self, unit: Callable[[H], Awaitable[T]]) -> T:
        """The unit's result, once the transaction holding it has committed."""
        return await self.run_many(_each, unit)

    async def run_many(self, many: Callable[[H, list[V]], Awaitable[list[T]]], value: V) -> T:
        """``many``'s result for ``value``, once the transaction holding it has committed;
        the batch's other values for the same ``many`` go to the same call."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiting.append((many, value, future))
        if self._full is not None and len(self._waiting) >= self._callers:
            _settle(self._full, None, None)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        try:
            while self._waiting:
                await self._gather()
                batch, self._waiting = self._waiting, []
                await self._commit(batch)
                self._callers = len(batch) + len(self._waiting)
        finally:
            for _, _, future in self._waiting:  # only when cancelled (shutdown)
                future.cancel()
            self._waiting = []

    async def _gather(self) -> None:
        """Let the requests the loop is handling join: turns of the loop until one adds no
        unit, then, while the batch is smaller than the callers active at the end of the
        last commit, a short wait for those just answered, whose next requests are on their
        way, woken by the last of them rather than polling (a poll's interval was idle time
        between the last arrival and the commit). Else the callers split into two groups
        taking turns (one queues while the other commits), each group paying a commit, and
        the split keeps itself."""
        size = -1
        while len(self._waiting) != size:
            size = len(self._waiting)
            await asyncio.sleep(0)
        if len(self._waiting) >= self._callers:
            return
        loop = asyncio.get_running_loop()
        self._full = loop.create_future()
        timeout = loop.call_later(_MAX_WAIT, _settle, self._full, None, None)
        try:
            await self._full
        finally:
            timeout.cancel()
            self._full = None

    async def _commit(self, batch: list[_Waiting]) -> None:
        if await self._together(batch):
            return
        # again one transaction each: a bad unit fails only its caller, and a connection
        # lost meanwhile is replaced by a new one (even for a batch of one)
        for entry in batch:
            await self._alone(entry)

    async def _together(self, batch: list[_Waiting]) -> bool:
        """Whether the batch committed in one transaction (False: it was rolled back)."""
        try:
            async with self._write() as handle:
                results = await _apply(handle, batch)
        except Exception:  # each unit is run again alone
            return False
        for (_, _, future), result in zip(batch, results, strict=True):
            _settle(future, result, None)
        return True

    async def _alone(self, entry: _Waiting) -> None:
        many, value, future = entry
        try:
            async with self._write() as handle:
                [result] = await many(handle, [value])
        except Exception as exc:
            _settle(future, None, exc)
        else:
            _settle(future, result, None)


async def _apply(handle: Any, batch: list[_Waiting]) -> list[Any]:
    """The results in the batch's order; each operation gets all its values in one call."""
    places: dict[_Op, list[int]] = {}
    for place, (many, _, _) in enumerate(batch):
        places.setdefault(many, []).append(place)
    results: list[Any] = [None] * len(batch)
    for many, where in places.items():
        answers = await many(handle, [batch[place][1] for place in where])
        for place, answer in zip(where, answers, strict=True):
            results[place] = answer
    return results


async def _each(handle: Any, units: list[Callable[[Any], Awaitable[Any]]]) -> list[Any]:
    return [await unit(handle) for unit in units]


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # the caller went away (its request was cancelled)
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
