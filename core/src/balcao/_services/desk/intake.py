"""Intake: a new manifestation registered, routed and given its deadline in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from balcao._db.models import (
    AttachmentRow,
    DeadlineRow,
    IdentityRow,
    ManifestationRow,
    MessageRow,
    TransitionRow,
)
from balcao._db.types import Base
from balcao._domain.codes import (
    access_code_from,
    format_protocol,
    new_access_code,
    normalize_access_code,
)
from balcao._domain.deadlines import Purpose
from balcao._domain.lifecycle import State
from balcao._events import (
    EventBase,
    ManifestationCreated,
)
from balcao._routing import Outcome, route, routing_columns
from balcao._routing.stored import Rules, known_rules, rules_at
from balcao._services import deadlines, identity, rate_limits, registration
from balcao._services.desk.attachments import AttachmentDesk
from balcao._services.desk.errors import DuplicateMessage, RateLimited
from balcao._services.desk.lifecycle import LifecycleDesk
from balcao._services.manifestations import (
    draft,
    normalized,
    search_text,
    transition,
)
from balcao._services.protocols import next_sequence
from balcao._types import (
    Actor,
    DeadlineView,
    NewManifestation,
    Receipt,
)

if TYPE_CHECKING:
    from balcao._desk import Desk

__all__ = ["IntakeDesk"]

# registrations routed again when rules are saved meanwhile, before one goes unchecked
_REROUTES = 3


class _RulesChanged(Exception):
    """The transaction found a newer version of the routing rules than the one routed with."""

    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


Limits = Sequence[tuple[str, int, dt.timedelta]]


@dataclass(frozen=True)
class Opening:
    """What a registration's rows are made of, decided before its transaction."""

    new: NewManifestation
    code: str | None
    actor: Actor
    outcome: Outcome
    intake_key: str | None
    limits: Limits = ()
    stored: Sequence[AttachmentRow] = ()
    # the rules' version it was routed with; None registers it under whichever is in force
    version: int | None = None


@dataclass
class _Opened:
    """A registration as its transaction wrote it: its id, its row, its events, its deadline."""

    opening: Opening
    created: int
    row: dict[str, Any]
    events: list[EventBase]
    deadline: DeadlineView | None = None


class IntakeDesk(LifecycleDesk, AttachmentDesk):
    """Registers manifestations."""

    async def intake(
        self,
        new: NewManifestation,
        actor: Actor | None = None,
        *,
        limits: Sequence[tuple[str, int, dt.timedelta]] = (),
        idempotency_key: str | None = None,
    ) -> Receipt:
        """Register a manifestation, route it, start its deadline; returns the receipt with
        the access code in clear (the only time it exists in clear).

        ``limits`` are ``(key, limit, window)`` counters as in :meth:`allow`, counted in the
        registration's own transaction (one commit instead of one per counter): when one is
        exceeded, :class:`RateLimited` names it and nothing is registered nor counted.

        ``idempotency_key``: a secret the caller issued for this one submission (say, a
        signed form ticket; never a value another person could know or guess). Sending it
        again returns the same receipt, access code included (derived from the key, never
        stored), and registers nothing.

        ``new.external_id`` (the channel's id of the first message) already recorded on that
        channel raises :class:`DuplicateMessage` with the protocol it was registered as."""
        intake_key = self.keys.digest(f"intake:{idempotency_key}") if idempotency_key else None
        try:
            return await self._routed(normalized(new), actor, limits, intake_key)
        except RateLimited:
            # a repeat is answered even past the limit, as its first sending was not
            if intake_key is None or (repeat := await self._repeat(intake_key)) is None:
                raise
            return repeat
        except IntegrityError:
            # a repeat: its first sending (maybe a concurrent one) holds the key. Looked up
            # only now, so that a first sending, by far the most common, pays no read for it
            repeat = await self._repeat(intake_key) if intake_key is not None else None
            if repeat is None:
                await self._duplicate(new)
                raise
            return repeat

    async def _routed(
        self,
        new: NewManifestation,
        actor: Actor | None,
        limits: Limits,
        intake_key: str | None,
    ) -> Receipt:
        """Register with the newest rules this process knows; when the registration's own
        transaction finds a newer version, it is rolled back and routed again with it."""
        version, rules = await known_rules(cast("Desk", self))
        for _ in range(_REROUTES):
            try:
                return await self._intake(new, actor, limits, intake_key, (version, rules))
            except _RulesChanged as changed:
                version, rules = await rules_at(cast("Desk", self), changed.version)
        # saves faster than registrations: register under the version just read
        return await self._intake(new, actor, limits, intake_key, (version, rules), check=False)

    async def _duplicate(self, new: NewManifestation) -> None:
        """Raise :class:`DuplicateMessage` when ``new.external_id`` is already recorded."""
        if new.external_id is None:
            return
        query = (
            select(ManifestationRow.protocol)
            .join(MessageRow, MessageRow.manifestation_id == ManifestationRow.id)
            .where(MessageRow.channel == new.channel, MessageRow.external_id == new.external_id)
        )
        async with self.database.read() as session:
            found = (await session.scalars(query)).first()
        if found is not None:
            raise DuplicateMessage(new.channel, new.external_id, found)

    async def _repeat(self, intake_key: str) -> Receipt | None:
        response = and_(
            DeadlineRow.manifestation_id == ManifestationRow.id,
            DeadlineRow.purpose == Purpose.RESPONSE.value,
            DeadlineRow.met_at.is_(None),
        )
        query = (
            select(ManifestationRow.protocol, ManifestationRow.anonymous, DeadlineRow)
            .outerjoin(DeadlineRow, response)
            .where(ManifestationRow.intake_key == intake_key)
        )
        async with self.database.read() as session:
            found = (await session.execute(query)).first()
        if found is None:
            return None
        code = None if found.anonymous else self._code_for(intake_key)
        running = found.DeadlineRow
        shown = deadlines.view(running, self.today()) if running is not None else None
        return Receipt(protocol=found.protocol, access_code=code, deadline=shown)

    def _code_for(self, intake_key: str | None) -> str:
        if intake_key is None:
            return new_access_code()
        return access_code_from(self.keys.digest(f"access-code:{intake_key}"))

    async def _intake(
        self,
        new: NewManifestation,
        actor: Actor | None,
        limits: Limits,
        intake_key: str | None,
        rules: tuple[int, Rules],
        check: bool = True,
    ) -> Receipt:
        stored = [self._store_file(f) for f in new.files]
        outcome = await route(rules[1], draft(new, self.now()))
        actor = actor or Actor(kind="citizen", name=new.channel)
        code = None if new.anonymous else self._code_for(intake_key)
        version = rules[0] if check else None
        opening = Opening(new, code, actor, outcome, intake_key, limits, stored, version)
        # concurrent registrations share one commit and one statement per table (_register)
        protocol, deadline = await self.database.grouped_many(self._register, opening)
        return Receipt(protocol=protocol, access_code=code, deadline=deadline)

    async def _register(
        self, session: AsyncSession, openings: list[Opening]
    ) -> list[tuple[str, DeadlineView | None]]:
        """The registrations that share a transaction: a statement costs far more than a
        row, so their rows go to each table together. One refused (a counter, a conflict)
        fails the transaction, and each is then registered alone (see _db/group.py)."""
        connection, now = await session.connection(), self.now()
        await _count(connection, now, [limit for o in openings for limit in o.limits])
        opened = await self._create(connection, openings, now)
        events: list[EventBase] = []
        for one in opened:
            events += await self._finish(session, one)
        await self._emit(session, events)
        return [(one.row["protocol"], one.deadline) for one in opened]

    async def _create(
        self, connection: AsyncConnection, openings: list[Opening], now: dt.datetime
    ) -> list[_Opened]:
        """The new manifestations' rows, routed but not yet forwarded or assigned (those work
        on the ORM row): numbered and inserted together (their ids and the rules' version the
        database holds come back), then the other tables' rows."""
        year = self.calendar.local(now).year
        first = await next_sequence(connection, year, len(openings))
        rows = [self._new_row(o, year, n, now) for n, o in enumerate(openings, first)]
        made, seen = await registration.insert_manifestations(connection, rows)
        if any(o.version is not None and o.version != seen for o in openings):
            raise _RulesChanged(seen)
        opened = [
            _Opened(opening, created, row, [_created(opening.new, row, now)])
            for opening, created, row in zip(openings, made, rows, strict=True)
        ]
        await self._opening_rows(connection, opened, now)
        return opened

    async def _finish(self, session: AsyncSession, one: _Opened) -> list[EventBase]:
        """Its files, and the forwarding or assignment routing decided; all its events."""
        outcome = one.opening.outcome
        await self._attach(session, one.created, None, one.opening.stored)
        if not (outcome.forward_to or outcome.assign_to or outcome.round_robin):
            return one.events
        row = await self._load(session, one.row["protocol"])
        return one.events + await self._apply_decision(session, row, outcome)

    def _new_row(
        self, opening: Opening, year: int, sequence: int, now: dt.datetime
    ) -> dict[str, Any]:
        new, code, protocol = opening.new, opening.code, format_protocol(year, sequence)
        return {
            "protocol": protocol,
            "year": year,
            "sequence": sequence,
            "kind": new.kind.value,
            "channel": new.channel,
            "subject": new.subject,
            "description": new.description,
            "search_text": search_text(protocol, new.subject, new.description),
            "anonymous": new.anonymous,
            "access_code_hash": self.keys.digest(normalize_access_code(code)) if code else None,
            "created_at": now,
            "updated_at": now,
            "closed_at": None,
            "unit_code": None,
            "assignee_id": None,
            "complementation_used": False,
            "falabr_nup": None,
            "falabr_registered_at": None,
            "extra": dict(new.extra),
            **routing_columns(opening.outcome),
            "state": _path(opening)[-1][0].value,
            "intake_key": opening.intake_key,
        }

    async def _opening_rows(
        self, connection: AsyncConnection, opened: list[_Opened], now: dt.datetime
    ) -> None:
        """Identity, first message, response deadline and transitions of each new
        manifestation, one statement per table; each gets its transitions' events and its
        deadline as the citizen's receipt shows it."""
        today = self.calendar.local(now).date()
        tables: dict[type[Base], list[dict[str, Any]]] = {
            IdentityRow: [], MessageRow: [], DeadlineRow: [], TransitionRow: []
        }  # fmt: skip
        for one in opened:
            new, created = one.opening.new, one.created
            tables[IdentityRow].append(
                identity.new_identity(
                    self.keys, created, new.channel, new.citizen, new.channel_address
                )
            )
            tables[MessageRow].append(_first_message(created, new, now))
            deadline = deadlines.opening(
                self.calendar, created, one.row["kind"], Purpose.RESPONSE, today
            )
            tables[DeadlineRow].append(deadline)
            one.deadline = deadlines.opening_view(deadline, today)
            tables[TransitionRow] += _transitions(one, now)
        for model, rows in tables.items():
            await registration.insert_rows(connection, model, rows)


async def _count(connection: AsyncConnection, now: dt.datetime, limits: Limits) -> None:
    """Count the hits of a batch, one statement per counter: when a counter passes the
    lowest limit given for it, the batch is refused, and each registration then counts
    alone, so that only the ones past the limit are refused."""
    counters: dict[tuple[str, dt.timedelta], tuple[int, int]] = {}
    for key, limit, window in limits:
        hits, lowest = counters.get((key, window), (0, limit))
        counters[key, window] = (hits + 1, min(lowest, limit))
    for (key, window), (hits, limit) in counters.items():
        if not await rate_limits.hit(connection, now, key, limit, window, hits):
            raise RateLimited(key)


def _created(new: NewManifestation, row: dict[str, Any], now: dt.datetime) -> EventBase:
    return ManifestationCreated(
        protocol=row["protocol"], occurred_at=now, kind=new.kind.value, channel=new.channel
    )


def _path(opening: Opening) -> list[tuple[State, Actor, str]]:
    """The states a new manifestation goes through as it is registered."""
    path = [(State.RECEIVED, opening.actor, "registro")]
    if not opening.outcome.forward_to:
        path.append((State.TRIAGE, Actor.system("roteamento"), opening.outcome.reason))
    return path


def _transitions(one: _Opened, now: dt.datetime) -> list[dict[str, Any]]:
    """The rows of its opening transitions; their events are added to its events."""
    rows, source = [], None
    for target, actor, reason in _path(one.opening):
        values, event = transition(one.row["protocol"], source, target, actor, reason, now)
        rows.append({"manifestation_id": one.created, **values})
        one.events.append(event)
        source = target.value
    return rows


def _first_message(created: int, new: NewManifestation, now: dt.datetime) -> dict[str, Any]:
    return {
        "manifestation_id": created,
        "direction": "inbound",
        "channel": new.channel,
        "text": new.description,
        "author_id": None,
        "external_id": new.external_id,
        "delivery_state": None,
        "delivery_error": None,
        "created_at": now,
        "extra": {},
    }
