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
    DeadlineRow,
    IdentityRow,
    ManifestationRow,
    MessageRow,
    TransitionRow,
)
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


@dataclass(frozen=True)
class Opening:
    """What a registration's rows are made of, decided before its transaction."""

    new: NewManifestation
    code: str | None
    actor: Actor
    outcome: Outcome
    intake_key: str | None


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
        limits: Sequence[tuple[str, int, dt.timedelta]],
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
        limits: Sequence[tuple[str, int, dt.timedelta]],
        intake_key: str | None,
        rules: tuple[int, Rules],
        check: bool = True,
    ) -> Receipt:
        stored = [self._store_file(f) for f in new.files]
        outcome = await route(rules[1], draft(new, self.now()))
        actor = actor or Actor(kind="citizen", name=new.channel)
        code = None if new.anonymous else self._code_for(intake_key)
        opening = Opening(new, code, actor, outcome, intake_key)

        async def register(session: AsyncSession) -> tuple[str, DeadlineView]:
            connection = await session.connection()
            for key, limit, window in limits:
                if not await rate_limits.hit(connection, self.now(), key, limit, window):
                    raise RateLimited(key)
            created, events, seen, deadline = await self._create(connection, opening)
            if check and seen != rules[0]:
                raise _RulesChanged(seen)
            await self._attach(session, created, None, stored)
            if outcome.forward_to or outcome.assign_to or outcome.round_robin:
                row = await self._load(session, events[0].protocol)
                events += await self._apply_decision(session, row, outcome)
            await self._emit(session, events)
            return events[0].protocol, deadline

        # concurrent submissions share one commit (see _db/group.py)
        protocol, deadline = await self.database.grouped(register)
        return Receipt(protocol=protocol, access_code=code, deadline=deadline)

    async def _create(
        self, connection: AsyncConnection, opening: Opening
    ) -> tuple[int, list[EventBase], int, DeadlineView]:
        """The new manifestation's rows, routed but not yet forwarded or assigned (those
        work on the ORM row); its id, events, the rules' version the database holds and
        the response deadline."""
        new, outcome, now = opening.new, opening.outcome, self.now()
        year = self.calendar.local(now).year
        row = self._new_row(new, year, await next_sequence(connection, year), opening.code, now)
        path = [(State.RECEIVED, opening.actor, "registro")]
        if not outcome.forward_to:
            path.append((State.TRIAGE, Actor.system("roteamento"), outcome.reason))
        row |= routing_columns(outcome) | {"state": path[-1][0].value}
        row["intake_key"] = opening.intake_key
        created, seen = await registration.insert_manifestation(connection, row)
        events: list[EventBase] = [
            ManifestationCreated(
                protocol=row["protocol"], occurred_at=now, kind=new.kind.value, channel=new.channel
            )
        ]
        transitions, deadline = await self._opening_rows(connection, created, new, row, path)
        return created, events + transitions, seen, deadline

    def _new_row(
        self,
        new: NewManifestation,
        year: int,
        sequence: int,
        code: str | None,
        now: dt.datetime,
    ) -> dict[str, Any]:
        protocol = format_protocol(year, sequence)
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
        }

    async def _opening_rows(
        self,
        connection: AsyncConnection,
        created: int,
        new: NewManifestation,
        row: dict[str, Any],
        path: list[tuple[State, Actor, str]],
    ) -> tuple[list[EventBase], DeadlineView]:
        """Identity, first message, response deadline and the transitions along ``path``;
        the transitions' events and the deadline as the citizen's receipt shows it."""
        now, source, protocol = self.now(), None, row["protocol"]
        transitions: list[dict[str, Any]] = []
        events: list[EventBase] = []
        for target, actor, reason in path:
            values, event = transition(protocol, source, target, actor, reason, now)
            transitions.append({"manifestation_id": created, **values})
            events.append(event)
            source = target.value
        sealed = identity.new_identity(
            self.keys, created, new.channel, new.citizen, new.channel_address
        )
        today = self.today()
        deadline = deadlines.opening(self.calendar, created, row["kind"], Purpose.RESPONSE, today)
        await registration.insert_rows(connection, IdentityRow, [sealed])
        await registration.insert_rows(connection, MessageRow, [_first_message(created, new, now)])
        await registration.insert_rows(connection, DeadlineRow, [deadline])
        await registration.insert_rows(connection, TransitionRow, transitions)
        return events, deadlines.opening_view(deadline, today)


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
