"""The core's own behaviour, registered as the plugin ``core`` like any other."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select, update

from balcao._db.models import DeadlineRow, InboundEvent, ManifestationRow
from balcao._desk import Desk
from balcao._domain.deadlines import Purpose
from balcao._domain.lifecycle import State
from balcao._events import DeadlineNear, DeadlineOverdue, EventBase
from balcao._services import events as domain_events
from balcao._services.staff_digest import DIGEST_EVERY, send_digests
from balcao._specs import JobSpec
from balcao._types import Actor
from balcao.hookspecs import hookimpl

log = logging.getLogger("balcao.deadlines")
WATCH_EVERY = dt.timedelta(minutes=15)
PURGE_EVERY = dt.timedelta(hours=1)


async def watch_deadlines(desk: Desk) -> None:
    """Raise deadline-near and overdue events once each; archive a manifestation whose
    complementação did not come in time (Decreto 9.492 art. 18 § 2º)."""
    to_archive = await _due_events(desk)
    for protocol in to_archive:
        try:
            await desk.transition(
                protocol,
                State.ARCHIVED,
                Actor.system("prazos"),
                "complementação não recebida no prazo",
            )
        except Exception:
            log.exception("could not archive %s after its complementação deadline", protocol)


async def _due_events(desk: Desk) -> list[str]:
    """Record the warnings with the flags that say they were given (one transaction);
    the manifestations whose complementação ran out."""
    today, now = desk.today(), desk.now()
    horizon = today + dt.timedelta(days=desk.settings.deadline_warning_days)
    query = (
        select(DeadlineRow, ManifestationRow.protocol)
        .join(ManifestationRow)
        .where(
            DeadlineRow.met_at.is_(None),
            DeadlineRow.paused_on.is_(None),
            DeadlineRow.due_on <= horizon,
            DeadlineRow.warned_overdue.is_(False),
        )
    )
    events: list[EventBase] = []
    to_archive: list[str] = []
    async with desk.database.write() as session:
        for row, protocol in (await session.execute(query)).all():
            if row.due_on < today:
                row.warned_overdue = row.warned_near = True
                events.append(
                    DeadlineOverdue(
                        protocol=protocol, occurred_at=now, purpose=row.purpose, due_on=row.due_on
                    )
                )
                if row.purpose == Purpose.COMPLEMENTATION:
                    to_archive.append(protocol)
            elif not row.warned_near:
                row.warned_near = True
                events.append(
                    DeadlineNear(
                        protocol=protocol, occurred_at=now, purpose=row.purpose, due_on=row.due_on
                    )
                )
        await domain_events.record(session, desk.host.implementers("balcao_on_event"), events)
    return to_archive


async def purge_inbound(desk: Desk) -> None:
    """Empty the bodies of inbound events processed longer ago than the retention: the row
    stays (its external id still deduplicates a late redelivery), the payload goes."""
    hours = dt.timedelta(hours=desk.settings.inbound_retention_hours)
    async with desk.database.write() as session:
        await session.execute(
            update(InboundEvent)
            .where(InboundEvent.processed_at < desk.now() - hours, InboundEvent.body != b"")
            .values(body=b"")
        )


@hookimpl
def balcao_register_jobs() -> list[JobSpec]:
    return [
        JobSpec(name="core.deadlines", run=watch_deadlines, every=WATCH_EVERY),
        JobSpec(name="core.inbound_purge", run=purge_inbound, every=PURGE_EVERY),
        JobSpec(name="core.staff_digest", run=send_digests, every=DIGEST_EVERY),
    ]
