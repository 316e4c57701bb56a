"""The delivery engine: claims due rows of every queue one by one, runs each under a lease
it renews while it works, within each lane's limits, and settles the row only while it
still owns it. Several engines (workers) may share a PostgreSQL database."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import ScheduleRow
from balcao._delivery import crash
from balcao._delivery.claims import Claim, claim, owned, renew
from balcao._delivery.lanes import Lane
from balcao._delivery.outcome import Outcome
from balcao._delivery.queues import EventQueue, InboundQueue, JobQueue, OutboxQueue, Queue
from balcao._delivery.wake import Listener
from balcao._services.heartbeat import Heartbeat
from balcao._services.upsert import insert_ignore
from balcao._specs import JobSpec, Registered

if TYPE_CHECKING:
    from balcao._desk import Desk

__all__ = ["Engine"]

log = logging.getLogger("balcao.worker")
_ROUNDS_PER_PASS = 100  # run_once stops even if handlers keep adding work due at once


class Engine:
    """``run_forever`` for a worker process; ``run_once`` does everything due now and waits
    for it (what tests drive with a fake clock)."""

    def __init__(self, desk: Desk, jobs: Sequence[Registered[JobSpec]] = ()) -> None:
        self.desk = desk
        self.jobs = JobQueue(desk, jobs)
        self.queues: list[Queue] = [
            InboundQueue(desk),
            EventQueue(desk),
            OutboxQueue(desk),
            self.jobs,
        ]
        self.lanes: dict[tuple[str, str], Lane] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self._seeded = False
        self.heartbeat = Heartbeat(desk)
        crash.install()  # test-only; inert unless BALCAO_TEST_CRASH_AT is set

    @property
    def settings(self):  # type: ignore[no-untyped-def]
        return self.desk.settings

    @property
    def lease(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.settings.lease_seconds)

    # -- the loops -------------------------------------------------------------------------

    async def run_forever(self, stop: asyncio.Event) -> None:
        log.info("worker started")
        wake = self.desk.database.work_added
        listener = None if self.desk.database.is_sqlite else Listener(self.desk.database.url, wake)
        if listener is not None:
            listener.start()
        try:
            await self._serve(stop, wake)
        finally:
            if listener is not None:
                await listener.stop()
            if self.tasks:
                await asyncio.wait(self.tasks)
        log.info("worker stopped")

    async def _serve(self, stop: asyncio.Event, wake: asyncio.Event) -> None:
        while not stop.is_set():
            wake.clear()
            try:
                started = await self.start_due()
                await self.heartbeat.beat()
            except Exception:
                log.exception("worker round failed; trying again")
                started = 0
            if not started:
                await _first(stop, wake, self.settings.worker_poll_seconds)

    async def run_once(self) -> int:
        done = 0
        for _ in range(_ROUNDS_PER_PASS):
            started = await self.start_due()
            if self.tasks:
                await asyncio.wait(set(self.tasks))
            if not started:
                break
            done += started
        return done

    # -- claiming and running ----------------------------------------------------------------

    async def start_due(self) -> int:
        """Claim what is due and has room, start each run; how many started."""
        await self._seed_jobs()
        # one short write transaction claims from every queue
        async with self.desk.database.write() as session:
            claimed = [(q, item) for q in self.queues for item in await self._claim(session, q)]
        for queue, item in claimed:
            self._start(queue, item)
        return len(claimed)

    async def _claim(self, session: AsyncSession, queue: Queue) -> list[Claim]:
        room = sum(lane.room for (name, _), lane in self.lanes.items() if name == queue.name)
        limit = max(room, self.settings.send_concurrency)
        return await claim(
            session,
            queue.table,
            now=self.desk.now(),
            lease=self.lease,
            limit=limit,
            lane_of=queue.lane,
            has_room=lambda lane: self._reserve(queue, lane),
        )

    def _lane(self, queue: Queue, name: str) -> Lane:
        key = (queue.name, name)
        if key not in self.lanes:
            self.lanes[key] = Lane(*queue.limits(name))
        return self.lanes[key]

    def _reserve(self, queue: Queue, name: str) -> bool:
        lane = self._lane(queue, name)
        if lane.room <= 0:
            return False
        lane.running += 1
        return True

    def _start(self, queue: Queue, item: Claim) -> None:
        task = asyncio.create_task(self._run(queue, item))
        self.tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        self.desk.database.work_added.set()  # a lane has room again

    async def _run(self, queue: Queue, item: Claim) -> None:
        lane = self._lane(queue, item.lane)
        heartbeat = asyncio.create_task(self._heartbeat(item))
        try:
            await lane.pace()
            outcome = await queue.run(item)
        except Exception as exc:  # a queue's own bug: the row is retried, the worker lives
            log.exception("%s %s failed", queue.name, item.key)
            outcome = Outcome.failed(exc)
        finally:
            heartbeat.cancel()
            lane.running -= 1
        try:
            await self._settle(queue, item, outcome)
        except Exception:  # the database went away: the lease runs out and the row is retried
            log.exception("could not record the result of %s %s", queue.name, item.key)

    async def _heartbeat(self, item: Claim) -> None:
        """Renew the lease while the run lasts, three times per lease."""
        pause = self.settings.lease_seconds / 3
        while True:
            await asyncio.sleep(pause)
            try:
                async with self.desk.database.write() as session:
                    mine = await renew(session, item, self.desk.now() + self.lease)
            except Exception:
                log.exception("could not renew the lease of %s", item.key)
                continue
            if not mine:
                log.error("%s %s was taken over by another worker", item.table.model, item.key)
                return

    async def _settle(self, queue: Queue, item: Claim, outcome: Outcome) -> None:
        async with self.desk.database.write() as session:
            row = await owned(session, item)
            if row is None:
                log.error("%s %s: result dropped, another worker owns it", queue.name, item.key)
                return
            row.owner, row.lease_until = None, None
            await queue.settle(session, row, outcome)

    async def _seed_jobs(self) -> None:
        if self._seeded or not self.jobs.jobs:
            return
        async with self.desk.database.write() as session:
            for values in self.jobs.seed():
                await insert_ignore(session, ScheduleRow, values)
        self._seeded = True


async def _first(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    """Sleep until stopped, woken, or ``seconds`` passed (the look for retries and lost leases)."""
    waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(wake.wait())]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()
