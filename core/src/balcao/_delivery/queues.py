"""The four kinds of work the engine runs: outbox deliveries, stored inbound events,
lifecycle events for each plugin handler, and periodic jobs."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import EventDelivery, InboundEvent, MessageRow, OutboxRow, ScheduleRow
from balcao._delivery.claims import PENDING, Claim, Table
from balcao._delivery.crash import crash_point
from balcao._delivery.outcome import Outcome, retry_or_bury
from balcao._events import Event
from balcao._specs import JobSpec, Registered
from balcao._types import DeliveryFailed, OutboundMessage

if TYPE_CHECKING:
    from balcao._desk import Desk

__all__ = ["EventQueue", "InboundQueue", "JobQueue", "OutboxQueue", "Queue"]

log = logging.getLogger("balcao.worker")


class Queue:
    """One table of work: which lane a row runs in, how to run it, how to settle it."""

    name: str
    table: Table

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.settings = desk.settings

    def lane(self, row: Any) -> str:
        return self.name

    def limits(self, lane: str) -> tuple[int, float | None]:
        """Concurrent runs per worker and runs per second in ``lane`` (None: no limit)."""
        return self.settings.send_concurrency, None

    async def run(self, claim: Claim) -> Outcome:
        raise NotImplementedError

    async def settle(self, session: AsyncSession, row: Any, outcome: Outcome) -> None:
        if outcome.ok:
            row.state, row.last_error = self.table.done, None
            return
        retry_or_bury(
            row,
            outcome,
            self.desk.now(),
            self.max_attempts(),
            self.settings.outbox_base_delay_seconds,
        )

    def max_attempts(self) -> int:
        return self.settings.outbox_max_attempts


class OutboxQueue(Queue):
    name = "outbox"
    table = Table(OutboxRow, running="in_flight", done="delivered", ordered=True)

    def lane(self, row: Any) -> str:
        return str(row.channel)

    def limits(self, lane: str) -> tuple[int, float | None]:
        registered = self.desk.channels.get(lane)
        spec = registered.spec if registered is not None else None
        concurrency = (spec and spec.send_concurrency) or self.settings.send_concurrency
        rate = (spec and spec.sends_per_second) or self.settings.sends_per_second
        return concurrency, rate

    async def run(self, claim: Claim) -> Outcome:
        row: OutboxRow = claim.row
        adapter = self.desk.adapter(row.channel)
        if adapter is None:
            return Outcome(False, error=f"canal '{row.channel}' não está instalado ou não envia")
        try:
            receipt = await adapter.send(await self._message(row, claim.attempts))
        except DeliveryFailed as exc:
            return Outcome(False, None, str(exc), exc.retryable, exc.retry_after)
        except Exception as exc:
            log.exception("channel '%s' raised while delivering %s", row.channel, row.id)
            return Outcome.failed(exc)
        crash_point("outbox-sent", row.channel)
        return Outcome(True, receipt)

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

    async def settle(self, session: AsyncSession, row: Any, outcome: Outcome) -> None:
        await super().settle(session, row, outcome)
        message = None if row.message_id is None else await session.get(MessageRow, row.message_id)
        if outcome.ok:
            row.delivered_at, row.receipt = self.desk.now(), outcome.result.external_id
            row.payload = {}  # delivered: the text lives on in the message, if anywhere
            if message is not None:
                message.delivery_state, message.delivery_error = outcome.result.state, None
                message.external_id = message.external_id or outcome.result.external_id
        elif row.state == "dead" and message is not None:
            message.delivery_state, message.delivery_error = "failed", outcome.error


class InboundQueue(Queue):
    name = "inbound"
    table = Table(InboundEvent, ordered=True)

    def lane(self, row: Any) -> str:
        return str(row.channel)

    def max_attempts(self) -> int:
        return self.settings.inbound_max_attempts

    async def run(self, claim: Claim) -> Outcome:
        row: InboundEvent = claim.row
        registered = self.desk.channels.get(row.channel)
        if registered is None or registered.spec.inbound is None:
            return Outcome(False, error=f"canal '{row.channel}' não está instalado")
        try:
            body = self.desk.inbound_body(row.channel, row.external_id, row.body)
            await registered.spec.inbound(body, self.desk)
        except Exception as exc:
            log.exception("channel '%s' failed to process inbound event %s", row.channel, row.id)
            return Outcome.failed(exc)
        return Outcome(True)

    async def settle(self, session: AsyncSession, row: Any, outcome: Outcome) -> None:
        await super().settle(session, row, outcome)
        if outcome.ok:
            row.processed_at = self.desk.now()


class EventQueue(Queue):
    """Each row is one event for one plugin: a failing handler is retried and, in the end,
    dead-lettered on its own, while the other plugins got the event."""

    name = "events"
    table = Table(EventDelivery, ordered=True)

    def lane(self, row: Any) -> str:
        return str(row.handler)

    def max_attempts(self) -> int:
        return self.settings.event_max_attempts

    async def run(self, claim: Claim) -> Outcome:
        row: EventDelivery = claim.row
        event = msgspec.json.decode(row.payload, type=Event)
        try:
            await self.desk.host.call_plugin(
                row.handler, "balcao_on_event", event=event, desk=self.desk
            )
        except Exception as exc:
            log.exception("plugin '%s' failed in balcao_on_event (%s)", row.handler, row.event_id)
            return Outcome.failed(exc)
        crash_point("event-handled", row.event_type)
        return Outcome(True)


class JobQueue(Queue):
    """Periodic jobs: a row per job, due again ``every`` after each run, whatever the result."""

    name = "jobs"
    table = Table(ScheduleRow)

    def __init__(self, desk: Desk, jobs: Sequence[Registered[JobSpec]]) -> None:
        super().__init__(desk)
        self.jobs = {j.spec.name: j for j in jobs}

    async def run(self, claim: Claim) -> Outcome:
        job = self.jobs.get(claim.row.name)
        if job is None:  # a job of a plugin no longer installed
            return Outcome(True)
        try:
            await job.spec.run(self.desk)
        except Exception as exc:
            log.exception("job '%s' of plugin '%s' failed", job.spec.name, job.plugin)
            return Outcome.failed(exc)
        return Outcome(True)

    async def settle(self, session: AsyncSession, row: Any, outcome: Outcome) -> None:
        job = self.jobs.get(row.name)
        every = job.spec.every if job is not None else dt.timedelta(days=1)
        row.state, row.attempts, row.last_error = PENDING, 0, outcome.error
        row.next_attempt_at = self.desk.now() + every

    def seed(self) -> list[dict[str, Any]]:
        """A schedule row for each job (inserted when missing: due at once)."""
        now = self.desk.now()
        return [
            {"name": name, "next_attempt_at": now, "state": PENDING, "attempts": 0}
            for name in self.jobs
        ]
