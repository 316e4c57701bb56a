"""The background worker: outbox deliveries, inbound events, periodic jobs. Several workers
may run against PostgreSQL; on SQLite the embedded worker is the only one."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import InboundEvent, MessageRow, OutboxRow, ScheduleRow
from balcao._desk import Desk
from balcao._services import outbox
from balcao._services.heartbeat import Heartbeat
from balcao._specs import JobSpec, Registered
from balcao._types import DeliveryFailed, DeliveryReceipt, OutboundMessage

__all__ = ["Worker"]

log = logging.getLogger("balcao.worker")
_BATCH = 20
_INBOUND_MAX_ATTEMPTS = 10


class Worker:
    """Runs due work in rounds; ``run_once`` is what tests drive with a fake clock."""

    def __init__(self, desk: Desk, jobs: Sequence[Registered[JobSpec]] = ()) -> None:
        self.desk = desk
        self.jobs = list(jobs)
        self.settings = desk.settings
        self.heartbeat = Heartbeat(desk)

    async def run_forever(self, stop: asyncio.Event) -> None:
        log.info("worker started")
        while not stop.is_set():
            try:
                done = await self.run_once()
                await self.heartbeat.beat()
            except Exception:
                log.exception("worker round failed; trying again")
                done = 0
            if not done:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.worker_poll_seconds)
        log.info("worker stopped")

    async def run_once(self) -> int:
        return (await self.deliver_due()) + (await self.process_inbound()) + (await self.run_jobs())

    # -- outbox --------------------------------------------------------------------------

    async def deliver_due(self) -> int:
        now = self.desk.now()
        lease = dt.timedelta(seconds=self.settings.outbox_lease_seconds)
        async with self.desk.database.write() as session:
            rows = await outbox.claim(session, now, lease, _BATCH)
            claimed = [(r.id, r.attempts) for r in rows]
        for row_id, attempts in claimed:
            await self._deliver(row_id, attempts)
        return len(claimed)

    async def _deliver(self, row_id: int, attempts: int) -> None:
        async with self.desk.database.read() as session:
            row = await session.get(OutboxRow, row_id)
        assert row is not None
        adapter = self.desk.adapter(row.channel)
        try:
            if adapter is None:
                raise DeliveryFailed(f"canal '{row.channel}' não está instalado ou não envia")
            receipt = await adapter.send(await self._message(row, attempts))
        except DeliveryFailed as exc:
            await self._failed(row_id, str(exc), exc.retryable, exc.retry_after)
        except Exception as exc:
            log.exception("channel '%s' raised while delivering %s", row.channel, row_id)
            await self._failed(row_id, f"{type(exc).__name__}: {exc}", True, None)
        else:
            await self._delivered(row_id, receipt)

    async def _message(self, row: OutboxRow, attempts: int) -> OutboundMessage:
        payload = self.desk.outbox_payload(row)
        protocol = payload.get("protocol")
        recipient = payload.get("recipient")
        if recipient is None and protocol:
            recipient = await self.desk.recipient(protocol)
        return OutboundMessage(
            idempotency_key=row.idempotency_key,
            protocol=protocol,
            recipient=recipient,
            text=payload.get("text", ""),
            attempt=attempts,
            kind=payload.get("kind", "reply"),
            extra=payload.get("extra", {}),
        )

    async def _delivered(self, row_id: int, receipt: DeliveryReceipt) -> None:
        async with self.desk.database.write() as session:
            row = await session.get(OutboxRow, row_id)
            assert row is not None
            row.state, row.delivered_at, row.lease_until = outbox.DELIVERED, self.desk.now(), None
            row.receipt, row.last_error = receipt.external_id, None
            row.payload = {}  # delivered: the text lives on in the message, if anywhere
            message = await _message_row(session, row)
            if message is not None:
                message.delivery_state, message.delivery_error = receipt.state, None
                message.external_id = message.external_id or receipt.external_id

    async def _failed(
        self, row_id: int, error: str, retryable: bool, retry_after: float | None
    ) -> None:
        async with self.desk.database.write() as session:
            row = await session.get(OutboxRow, row_id)
            assert row is not None
            row.last_error, row.lease_until = error, None
            if retryable and row.attempts < self.settings.outbox_max_attempts:
                delay = (
                    dt.timedelta(seconds=retry_after)
                    if retry_after is not None
                    else outbox.backoff(self.settings.outbox_base_delay_seconds, row.attempts)
                )
                row.state, row.next_attempt_at = outbox.PENDING, self.desk.now() + delay
                return
            row.state = outbox.DEAD
            log.error(
                "delivery %s on '%s' is dead after %s attempts: %s",
                row_id,
                row.channel,
                row.attempts,
                error,
            )
            message = await _message_row(session, row)
            if message is not None:
                message.delivery_state, message.delivery_error = "failed", error

    # -- inbound -------------------------------------------------------------------------

    async def process_inbound(self) -> int:
        now = self.desk.now()
        lease = now + dt.timedelta(seconds=self.settings.outbox_lease_seconds)
        due = (
            InboundEvent.processed_at.is_(None)
            & (InboundEvent.next_attempt_at <= now)
            & (InboundEvent.lease_until.is_(None) | (InboundEvent.lease_until < now))
        )
        async with self.desk.database.write() as session:
            query = select(InboundEvent).where(due).order_by(InboundEvent.id).limit(_BATCH)
            if self.desk.database.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list((await session.scalars(query)).all())
            for row in rows:
                row.lease_until = lease
            claimed = [(r.id, r.channel, r.external_id, r.body) for r in rows]
        for row_id, channel, external_id, body in claimed:
            await self._process(row_id, channel, external_id, body)
        return len(claimed)

    async def _process(self, row_id: int, channel: str, external_id: str, body: bytes) -> None:
        registered = self.desk.channels.get(channel)
        error = None
        try:
            if registered is None or registered.spec.inbound is None:
                raise LookupError(f"canal '{channel}' não está instalado")
            opened = self.desk.inbound_body(channel, external_id, body)
            await registered.spec.inbound(opened, self.desk)
        except Exception as exc:
            log.exception("channel '%s' failed to process inbound event %s", channel, row_id)
            error = f"{type(exc).__name__}: {exc}"
        await self._processed(row_id, error)

    async def _processed(self, row_id: int, error: str | None) -> None:
        now = self.desk.now()
        async with self.desk.database.write() as session:
            row = await session.get(InboundEvent, row_id)
            assert row is not None
            row.lease_until, row.error = None, error
            if error is None:
                row.processed_at = now
                return
            row.attempts += 1
            parked = row.attempts >= _INBOUND_MAX_ATTEMPTS
            row.next_attempt_at = (
                None
                if parked
                else now + outbox.backoff(self.settings.outbox_base_delay_seconds, row.attempts)
            )

    # -- periodic jobs -------------------------------------------------------------------

    async def run_jobs(self) -> int:
        ran = 0
        for job in self.jobs:
            if await self._claim_job(job.spec):
                ran += 1
                await self._run_job(job)
        return ran

    async def _claim_job(self, spec: JobSpec) -> bool:
        now = self.desk.now()
        async with self.desk.database.write() as session:
            query = select(ScheduleRow).where(ScheduleRow.name == spec.name)
            if self.desk.database.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            row = (await session.scalars(query)).one_or_none()
            if row is None:
                row = ScheduleRow(name=spec.name, next_run_at=now, lease_until=None)
                session.add(row)
            if row.next_run_at > now or (row.lease_until is not None and row.lease_until > now):
                return False
            row.lease_until = now + max(spec.every, dt.timedelta(minutes=5))
            row.next_run_at = now + spec.every
            return True

    async def _run_job(self, job: Registered[JobSpec]) -> None:
        try:
            await job.spec.run(self.desk)
        except Exception:
            log.exception("job '%s' of plugin '%s' failed", job.spec.name, job.plugin)
        async with self.desk.database.write() as session:
            row = await session.get(ScheduleRow, job.spec.name)
            if row is not None:
                row.lease_until = None


async def _message_row(session: AsyncSession, row: OutboxRow) -> MessageRow | None:
    return None if row.message_id is None else await session.get(MessageRow, row.message_id)
