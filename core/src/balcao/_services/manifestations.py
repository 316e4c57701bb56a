"""Manifestation rows: loading, snapshots, validation of new ones, transitions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from balcao._db.dialect import locks_rows
from balcao._db.models import ManifestationRow, TransitionRow
from balcao._domain.calendar import BusinessCalendar
from balcao._domain.codes import format_protocol, parse_protocol
from balcao._domain.deadlines import Purpose
from balcao._domain.kinds import Kind
from balcao._domain.lifecycle import State
from balcao._domain.text import visible
from balcao._events import EventBase, StatusChanged
from balcao._services import deadlines
from balcao._text import fold
from balcao._types import Actor, Manifestation, NewManifestation

__all__ = [
    "InvalidManifestation",
    "draft",
    "load",
    "normalized",
    "record_transition",
    "to_view",
    "transition",
]

_MAX_DESCRIPTION = 20_000
_MAX_SUBJECT = 300


class InvalidManifestation(ValueError):
    """A new manifestation the core refuses, with the field and the reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def normalized(new: NewManifestation) -> NewManifestation:
    """Validate a new manifestation; an anonymous denúncia becomes a comunicação."""
    if not new.description.strip():
        raise InvalidManifestation("description", "descreva a manifestação")
    if len(new.description) > _MAX_DESCRIPTION:
        raise InvalidManifestation("description", f"use no máximo {_MAX_DESCRIPTION} caracteres")
    if len(new.subject) > _MAX_SUBJECT:
        raise InvalidManifestation("subject", f"use no máximo {_MAX_SUBJECT} caracteres")
    if not new.anonymous:
        return _shown_name(new)
    if not new.kind.whistleblowing:
        raise InvalidManifestation("anonymous", "somente uma denúncia pode ser anônima")
    return msgspec.structs.replace(new, kind=Kind.COMUNICACAO, citizen=None)


def _shown_name(new: NewManifestation) -> NewManifestation:
    citizen = new.citizen
    if citizen is None or not citizen.name or visible(citizen.name) == citizen.name:
        return new
    return msgspec.structs.replace(
        new, citizen=msgspec.structs.replace(citizen, name=visible(citizen.name))
    )


def draft(new: NewManifestation, at: dt.datetime) -> Manifestation:
    """What routing rules see of a manifestation not registered yet."""
    return Manifestation(
        id=0,
        protocol="",
        kind=new.kind,
        channel=new.channel,
        state=State.RECEIVED,
        subject=new.subject,
        description=new.description,
        anonymous=new.anonymous,
        created_at=at,
        updated_at=at,
        pseudonym="Manifestante",
        extra=new.extra,
    )


def search_text(protocol: str, subject: str, description: str) -> str:
    return fold(f"{protocol} {subject} {description}")


async def load(
    session: AsyncSession, protocol: str, *, for_update: bool = False
) -> ManifestationRow | None:
    parsed = parse_protocol(protocol)
    if parsed is None:
        return None
    query = (
        select(ManifestationRow)
        .where(ManifestationRow.protocol == format_protocol(*parsed))
        .options(selectinload(ManifestationRow.identity))
    )
    if for_update and locks_rows(session):
        query = query.with_for_update(of=ManifestationRow)
    return (await session.scalars(query)).one_or_none()


def to_view(row: ManifestationRow) -> Manifestation:
    return Manifestation(
        id=row.id,
        protocol=row.protocol,
        kind=Kind(row.kind),
        channel=row.channel,
        state=State(row.state),
        subject=row.subject,
        description=row.description,
        anonymous=row.anonymous,
        created_at=row.created_at,
        updated_at=row.updated_at,
        pseudonym=row.identity.pseudonym if row.identity else "Manifestante",
        unit_code=row.unit_code,
        assignee_id=row.assignee_id,
        priority=row.priority,
        tags=tuple(row.tags or ()),
        confidential=row.confidential,
        routed_by=row.routed_by,
        routing_reason=row.routing_reason,
        falabr_nup=row.falabr_nup,
        extra=dict(row.extra or {}),
    )


def record_transition(
    session: AsyncSession,
    row: ManifestationRow,
    target: State,
    actor: Actor,
    reason: str,
    now: dt.datetime,
) -> EventBase:
    source = row.state if row.id and row.state else None
    values, event = transition(row.protocol, source, target, actor, reason, now)
    session.add(TransitionRow(manifestation_id=row.id, **values))
    row.state, row.updated_at = target.value, now
    if not target.is_open:
        row.closed_at = now
    return event


def transition(
    protocol: str,
    source: str | None,
    target: State,
    actor: Actor,
    reason: str,
    now: dt.datetime,
) -> tuple[dict[str, Any], StatusChanged]:
    """A transition's row (without its manifestation) and the event that announces it."""
    event = StatusChanged(
        protocol=protocol,
        occurred_at=now,
        source=source,
        target=target.value,
        actor=actor.label,
        reason=reason,
    )
    return {
        "source": source,
        "target": target.value,
        "actor": actor.label,
        "reason": reason,
        "at": now,
    }, event


async def deadline_effects(
    session: AsyncSession,
    calendar: BusinessCalendar,
    row: ManifestationRow,
    source: State,
    target: State,
    now: dt.datetime,
    today: dt.date,
) -> None:
    """What a transition does to the clocks (complementação pauses the first time only)."""
    if target is State.AWAITING_CITIZEN:
        await _ask_complementation(session, calendar, row, today)
    if source is State.AWAITING_CITIZEN:
        for item in await deadlines.open_deadlines(session, row.id):
            if item.purpose == Purpose.COMPLEMENTATION:
                deadlines.meet(item, now)
            else:
                deadlines.resume(item, calendar, today)
    if source is State.FORWARDED:
        for item in await deadlines.open_deadlines(session, row.id, Purpose.UNIT):
            deadlines.meet(item, now)
    if target in (State.ANSWERED, State.CLOSED, State.ARCHIVED):
        for item in await deadlines.open_deadlines(session, row.id):
            deadlines.meet(item, now)


async def _ask_complementation(
    session: AsyncSession, calendar: BusinessCalendar, row: ManifestationRow, today: dt.date
) -> None:
    deadlines.start(session, calendar, row, Purpose.COMPLEMENTATION, today)
    if row.complementation_used:
        return
    row.complementation_used = True
    for item in await deadlines.open_deadlines(session, row.id, Purpose.RESPONSE):
        deadlines.pause(item, today)
