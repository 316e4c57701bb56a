"""The desk: the core's public service API, used by the web routes, the worker and plugins."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import msgspec
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from balcao._access import Access, require
from balcao._config import Settings
from balcao._db.engine import Database
from balcao._db.models import (
    AttachmentRow,
    DeadlineRow,
    IdentityRow,
    ManifestationRow,
    MessageRow,
    OutboxRow,
    TransitionRow,
    UserRow,
)
from balcao._delivery.wake import announce
from balcao._domain.calendar import BusinessCalendar
from balcao._domain.codes import (
    access_code_from,
    format_protocol,
    new_access_code,
    normalize_access_code,
)
from balcao._domain.deadlines import Purpose
from balcao._domain.extract import pseudonymize, replace_name
from balcao._domain.kinds import Kind
from balcao._domain.lifecycle import State, check_transition
from balcao._domain.survey import SurveyAnswer
from balcao._domain.text import inbound_key
from balcao._errors import NotFound
from balcao._events import (
    Closed,
    EventBase,
    Forwarded,
    ManifestationCreated,
    MessageReceived,
    Replied,
)
from balcao._keys import KeyRing
from balcao._routing import Outcome, route, routing_columns
from balcao._routing.members import round_robin
from balcao._sealing import Sealer, SealRegistry
from balcao._services import audit, deadlines, identity, rate_limits, registration, survey
from balcao._services import events as domain_events
from balcao._services.attachments import (
    AttachmentRejected,
    FileStore,
    safe_filename,
    sniff,
)
from balcao._services.erasure import erase_channel_traces
from balcao._services.inbound_store import store_inbound
from balcao._services.manifestations import (
    InvalidManifestation,
    deadline_effects,
    draft,
    load,
    normalized,
    record_transition,
    search_text,
    to_view,
    transition,
)
from balcao._services.protocols import next_sequence
from balcao._services.reseal import ResealReport, reseal_all, sealed_value, stored_plaintext
from balcao._services.sealed import CORE_COLUMNS, INBOUND, OUTBOX
from balcao._services.survey import SurveyView
from balcao._services.upsert import insert_ignore
from balcao._specs import ChannelAdapter, ChannelSpec, Registered, RoutingRuleSpec
from balcao._types import (
    Actor,
    Attachment,
    Citizen,
    DeadlineView,
    IncomingFile,
    Manifestation,
    NewManifestation,
    Receipt,
    Veto,
)

if TYPE_CHECKING:
    from balcao._clock import Clock
    from balcao._host import PluginHost

__all__ = ["Desk", "NotFound", "RateLimited", "TransitionRefused"]

log = logging.getLogger("balcao.desk")
_DELIVERY_ORDER = {"pending": 0, "sent": 1, "delivered": 2, "read": 3}


class RateLimited(Exception):
    """A counter given to :meth:`Desk.intake` in ``limits`` was exceeded; ``key`` names it."""

    def __init__(self, key: str) -> None:
        super().__init__(f"limite de envios excedido: {key}")
        self.key = key


class TransitionRefused(ValueError):
    """A plugin vetoed a transition; the message names the plugin and its reason."""


class Desk:
    """What the core offers plugins and routes: intake, messages, transitions, replies."""

    def __init__(
        self,
        *,
        settings: Settings,
        host: PluginHost,
        database: Database,
        keys: KeyRing,
        calendar: BusinessCalendar,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.host = host
        self.database = database
        self.seals = SealRegistry(keys, CORE_COLUMNS)
        self.calendar = calendar
        self.clock = clock
        self.files = FileStore(settings.attachments_dir)
        self.channels: dict[str, Registered[ChannelSpec]] = {}
        self.rules: list[Registered[RoutingRuleSpec]] = []
        self._adapters: dict[str, ChannelAdapter] = {}

    # -- sealing -----------------------------------------------------------------------

    @property
    def keys(self) -> KeyRing:
        """The key ring: the core's own (plugins use :meth:`sealer`)."""
        return self.seals.ring

    @keys.setter
    def keys(self, ring: KeyRing) -> None:
        self.seals.ring = ring

    def sealer(self, purpose: str) -> Sealer:
        """Seal, open, hash and sign for ``purpose`` (registered with
        ``balcao_register_sealed_columns``); plugins never see the keys themselves."""
        return self.seals.sealer(purpose)

    # -- time --------------------------------------------------------------------------

    def now(self) -> dt.datetime:
        return self.clock.now()

    def today(self) -> dt.date:
        return self.calendar.local(self.now()).date()

    def is_open(self) -> bool:
        return self.calendar.is_open(self.now())

    # -- events ------------------------------------------------------------------------

    async def publish(self, events: Sequence[EventBase]) -> None:
        """Record ``events`` for every plugin's ``balcao_on_event``, in a transaction of
        their own; the worker delivers them, at least once (see :meth:`emit`)."""
        async with self.database.write() as session:
            await self._emit(session, events)

    async def _emit(self, session: AsyncSession, events: Sequence[EventBase]) -> None:
        """Write ``events`` in the transaction of the change they describe: one row per
        plugin handler, delivered by the worker after commit (and only then)."""
        await domain_events.record(session, self.host.implementers("balcao_on_event"), events)

    # -- intake ------------------------------------------------------------------------

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
        stored), and registers nothing."""
        intake_key = self.keys.digest(f"intake:{idempotency_key}") if idempotency_key else None
        if intake_key is not None and (repeat := await self._repeat(intake_key)) is not None:
            return repeat
        try:
            return await self._intake(normalized(new), actor, limits, intake_key)
        except IntegrityError:
            # the same submission, committed by a concurrent request a moment ago
            repeat = await self._repeat(intake_key) if intake_key is not None else None
            if repeat is None:
                raise
            return repeat

    async def _repeat(self, intake_key: str) -> Receipt | None:
        query = select(ManifestationRow.protocol, ManifestationRow.anonymous).where(
            ManifestationRow.intake_key == intake_key
        )
        async with self.database.read() as session:
            found = (await session.execute(query)).one_or_none()
        if found is None:
            return None
        code = None if found.anonymous else self._code_for(intake_key)
        return Receipt(protocol=found.protocol, access_code=code)

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
    ) -> Receipt:
        stored = [self._store_file(f) for f in new.files]
        outcome = await route(self.rules, draft(new, self.now()))
        actor = actor or Actor(kind="citizen", name=new.channel)
        code = None if new.anonymous else self._code_for(intake_key)

        async def register(session: AsyncSession) -> str:
            connection = await session.connection()
            for key, limit, window in limits:
                if not await rate_limits.hit(connection, self.now(), key, limit, window):
                    raise RateLimited(key)
            created, events = await self._create(connection, new, code, actor, outcome, intake_key)
            await self._attach(session, created, None, stored)
            if outcome.forward_to or outcome.assign_to or outcome.round_robin:
                row = await self._load(session, events[0].protocol)
                events += await self._apply_decision(session, row, outcome)
            await self._emit(session, events)
            return events[0].protocol

        # concurrent submissions share one commit (see _db/group.py)
        return Receipt(protocol=await self.database.grouped(register), access_code=code)

    async def _create(
        self,
        connection: AsyncConnection,
        new: NewManifestation,
        code: str | None,
        actor: Actor,
        outcome: Outcome,
        intake_key: str | None = None,
    ) -> tuple[int, list[EventBase]]:
        """The new manifestation's rows, routed but not yet forwarded or assigned (those
        work on the ORM row); its id and events."""
        now = self.now()
        year = self.calendar.local(now).year
        row = self._new_row(new, year, await next_sequence(connection, year), code, now)
        protocol = row["protocol"]
        path = [(State.RECEIVED, actor, "registro")]
        if not outcome.forward_to:
            path.append((State.TRIAGE, Actor.system("roteamento"), outcome.reason))
        row |= routing_columns(outcome) | {"state": path[-1][0].value, "intake_key": intake_key}
        created = await registration.insert_manifestation(connection, row)
        events: list[EventBase] = [
            ManifestationCreated(
                protocol=protocol, occurred_at=now, kind=new.kind.value, channel=new.channel
            )
        ]
        return created, events + await self._opening_rows(connection, created, new, protocol, path)

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
        protocol: str,
        path: list[tuple[State, Actor, str]],
    ) -> list[EventBase]:
        """Identity, first message, response deadline and the transitions along ``path``."""
        now, source = self.now(), None
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
        deadline = deadlines.opening(
            self.calendar, created, new.kind.value, Purpose.RESPONSE, self.today()
        )
        await registration.insert_rows(connection, IdentityRow, [sealed])
        await registration.insert_rows(connection, MessageRow, [_first_message(created, new, now)])
        await registration.insert_rows(connection, DeadlineRow, [deadline])
        await registration.insert_rows(connection, TransitionRow, transitions)
        return events

    async def _apply_decision(
        self, session: AsyncSession, row: ManifestationRow, outcome: Outcome
    ) -> list[EventBase]:
        """Record the rule and reason, tag, prioritise, assign; forward when decided."""
        columns = routing_columns(outcome, row.tags or (), row.priority, row.confidential)
        for name, value in columns.items():
            setattr(row, name, value)
        if outcome.assign_to:
            row.assignee_id = await self._user_id(session, outcome.assign_to)
        elif outcome.round_robin:
            row.assignee_id, row.routing_reason = await round_robin(
                session, outcome.round_robin, outcome.reason
            )
        if not outcome.forward_to:
            return []
        system = Actor.system("roteamento")
        return await self._forward(session, row, outcome.forward_to, system, self._extract(row))

    def _extract(self, row: ManifestationRow) -> str:
        """What a unit gets when a rule forwards: a denúncia's or a confidential case's
        text pseudonymized (nobody reviewed it), any other case's text as it came."""
        if not (Kind(row.kind).whistleblowing or row.confidential):
            return row.description
        sealed = identity.unseal(self.keys, row.identity)
        name = sealed.citizen.name if sealed.citizen else None
        return pseudonymize(row.description, name, to_view(row).pseudonym)

    async def _user_id(self, session: AsyncSession, email: str) -> int | None:
        query = select(UserRow.id).where(UserRow.email == email, UserRow.active.is_(True))
        return (await session.scalars(query)).one_or_none()

    # -- attachments ---------------------------------------------------------------------

    def _store_file(self, incoming: IncomingFile) -> AttachmentRow:
        name = safe_filename(incoming.filename)
        limit = self.settings.max_attachment_mb * 1024 * 1024
        if len(incoming.content) > limit:
            raise AttachmentRejected(name, f"maior que {self.settings.max_attachment_mb} MB")
        media_type = sniff(incoming.content)
        if media_type is None or media_type not in self.settings.allowed_attachment_types:
            raise AttachmentRejected(name, "tipo de arquivo não aceito")
        digest = self.files.put(incoming.content)
        return AttachmentRow(
            filename=name,
            media_type=media_type,
            size=len(incoming.content),
            sha256=digest,
            state="stored",
            created_at=self.now(),
            source={},
        )

    async def _attach(
        self,
        session: AsyncSession,
        manifestation_id: int,
        message_id: int | None,
        stored: Sequence[AttachmentRow],
    ) -> None:
        for item in stored:
            item.manifestation_id, item.message_id = manifestation_id, message_id
            session.add(item)

    # -- reading ---------------------------------------------------------------------

    async def get(self, protocol: str) -> Manifestation:
        async with self.database.read() as session:
            return to_view(await self._load(session, protocol))

    async def authorize(
        self, protocol: str, actor: Actor, action: Access | str, target: State | None = None
    ) -> Manifestation:
        """The manifestation, when ``actor`` may do ``action`` to it (the access policy):
        :class:`NotFound` when the actor may not see it, :class:`Forbidden` when it may see
        it but not do this. Staff routes of plugins call it before they touch a case."""
        found = await self.get(protocol)
        require(actor, action, found, target)
        return found

    async def _load(
        self, session: AsyncSession, protocol: str, for_update: bool = False
    ) -> ManifestationRow:
        row = await load(session, protocol, for_update=for_update)
        if row is None:
            raise NotFound(f"manifestação {protocol} não encontrada")
        return row

    async def attachments(self, protocol: str) -> list[Attachment]:
        """The files attached to a manifestation, oldest first."""
        async with self.database.read() as session:
            row = await self._load(session, protocol)
            rows = await session.scalars(
                select(AttachmentRow)
                .where(AttachmentRow.manifestation_id == row.id)
                .order_by(AttachmentRow.id)
            )
            return [_attachment_view(a) for a in rows]

    def read_attachment(self, attachment: Attachment) -> bytes:
        """The bytes of a stored attachment (checked against its sha256)."""
        if attachment.sha256 is None or attachment.state != "stored":
            raise NotFound(f"o anexo {attachment.filename} ainda não foi recebido")
        content = self.files.read(attachment.sha256)
        if hashlib.sha256(content).hexdigest() != attachment.sha256:
            raise NotFound(f"o anexo {attachment.filename} está corrompido no armazenamento")
        return content

    async def deadlines(self, protocol: str) -> list[DeadlineView]:
        async with self.database.read() as session:
            row = await self._load(session, protocol)
            rows = await deadlines.open_deadlines(session, row.id)
            return [deadlines.view(d, self.today()) for d in rows]

    async def verify_access(self, protocol: str, access_code: str) -> Manifestation | None:
        """The manifestation when the code matches, else None (same answer for an unknown
        protocol, so nothing leaks)."""
        async with self.database.read() as session:
            row = await load(session, protocol)
        given = normalize_access_code(access_code)
        if row is None or row.access_code_hash is None:
            self.keys.matches(given, "0" * 64)  # the same work either way
            return None
        return to_view(row) if self.keys.matches(given, row.access_code_hash) else None

    async def find_open_by_address(self, channel: str, address: str) -> Manifestation | None:
        """The newest open manifestation that came from ``address`` on ``channel``."""
        digests = identity.address_digests(self.keys, channel, address)
        found = await self._open_by_digests(channel, digests)
        if found is not None and found[1] != digests[0]:
            await self._rekey_address(found[0], digests[0])
        return None if found is None else found[0]

    async def _rekey_address(self, case: Manifestation, digest: str) -> None:
        """A hit under a previous key: the hash moves to the current one."""
        async with self.database.write() as session:
            row = await self._load(session, case.protocol)
            if row.identity is not None:
                row.identity.channel_address_hash = digest

    async def _open_by_digests(
        self, channel: str, digests: list[str]
    ) -> tuple[Manifestation, str] | None:
        query = (
            select(ManifestationRow.protocol, IdentityRow.channel_address_hash)
            .join(IdentityRow)
            .where(
                IdentityRow.channel_address_hash.in_(digests),
                ManifestationRow.channel == channel,
                ManifestationRow.state.notin_([State.CLOSED, State.ARCHIVED]),
            )
            .order_by(ManifestationRow.id.desc())
            .limit(1)
        )
        async with self.database.read() as session:
            found = (await session.execute(query)).one_or_none()
            if found is None:
                return None
            return to_view(await self._load(session, found[0])), found[1] or ""

    async def cases_by_address(
        self, channel: str, address: str, limit: int = 10
    ) -> list[Manifestation]:
        """The manifestations that came from ``address`` on ``channel``, newest first
        (anonymous ones keep no address, so they are never among them)."""
        digests = identity.address_digests(self.keys, channel, address)
        query = (
            select(ManifestationRow.protocol)
            .join(IdentityRow)
            .where(
                IdentityRow.channel_address_hash.in_(digests), ManifestationRow.channel == channel
            )
            .order_by(ManifestationRow.id.desc())
            .limit(limit)
        )
        async with self.database.read() as session:
            protocols = list((await session.scalars(query)).all())
            return [to_view(await self._load(session, p)) for p in protocols]

    async def track(self, protocol: str, access_code: str, client: str) -> Manifestation | None:
        """Citizen tracking by protocol and access code, rate-limited per ``client`` (an
        address, a channel's sender) with the same hourly limit for every channel; raises
        :class:`RateLimited` once exceeded."""
        if not await self.allow_access_attempt(client):
            raise RateLimited(f"access-code:{client}")
        return await self.verify_access(protocol, access_code)

    # -- messages ---------------------------------------------------------------------

    async def add_message(
        self,
        protocol: str,
        text: str,
        *,
        channel: str,
        external_id: str | None = None,
        files: Sequence[IncomingFile] = (),
    ) -> int | None:
        """Record an inbound message; None when ``external_id`` was already recorded."""
        stored = [self._store_file(f) for f in files]
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            message_id = await insert_ignore(
                session,
                MessageRow,
                {
                    "manifestation_id": row.id,
                    "direction": "inbound",
                    "channel": channel,
                    "text": text,
                    "external_id": external_id,
                    "created_at": self.now(),
                    "extra": {},
                },
                returning=MessageRow.id,
            )
            if message_id is None:
                return None
            await self._attach(session, row.id, message_id, stored)
            row.updated_at = self.now()
            received = MessageReceived(
                protocol=row.protocol,
                occurred_at=self.now(),
                channel=channel,
                message_id=message_id,
            )
            await self._emit(session, [received, *await self._citizen_answered(session, row)])
        return int(message_id)

    async def _citizen_answered(
        self, session: AsyncSession, row: ManifestationRow
    ) -> list[EventBase]:
        if row.state != State.AWAITING_CITIZEN:
            return []
        return await self._move(
            session,
            row,
            State.TRIAGE,
            Actor(kind="citizen", name="cidadão"),
            "complementação recebida",
        )

    def _internal(self, row: ManifestationRow, text: str, actor: Actor, **extra: Any) -> MessageRow:
        """A staff-only message (note, extract, unit answer) on ``row``."""
        return MessageRow(
            manifestation_id=row.id,
            direction="internal",
            channel="staff",
            text=text,
            author_id=actor.user_id,
            created_at=self.now(),
            extra={"author": actor.name, **extra},
        )

    async def note(self, protocol: str, text: str, actor: Actor) -> int:
        """An internal note: never shown to the citizen."""
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            message = self._internal(row, text, actor)
            session.add(message)
            await session.flush()
            audit.record(session, self.now(), actor, "note", row.protocol)
            return message.id

    async def reply(self, protocol: str, text: str, actor: Actor) -> int:
        """A reply to the citizen, delivered through the channel it came from via the outbox."""
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            message = await self._outbound(session, row, text, actor)
            audit.record(session, self.now(), actor, "reply", row.protocol)
            await self._emit(session, [self._replied(row, message, actor, "reply")])
        return message.id

    def _replied(
        self, row: ManifestationRow, message: MessageRow, actor: Actor, kind: str
    ) -> Replied:
        return Replied(
            protocol=row.protocol,
            occurred_at=self.now(),
            channel=row.channel,
            message_id=message.id,
            actor=actor.label,
            kind=kind,
            text=message.text,
        )

    async def _outbound(
        self, session: AsyncSession, row: ManifestationRow, text: str, actor: Actor
    ) -> MessageRow:
        deliverable = self._has_adapter(row.channel)
        message = MessageRow(
            manifestation_id=row.id,
            direction="outbound",
            channel=row.channel,
            text=text,
            author_id=actor.user_id,
            created_at=self.now(),
            extra={"author": actor.name},
            delivery_state="pending" if deliverable else "undeliverable",
            delivery_error=None if deliverable else "canal sem envio: disponível no acompanhamento",
        )
        session.add(message)
        await session.flush()
        if deliverable:
            session.add(
                OutboxRow(
                    channel=row.channel,
                    ordering_key=row.protocol,
                    idempotency_key=f"message:{message.id}",
                    message_id=message.id,
                    payload=self._sealed_payload(
                        f"message:{message.id}",
                        {"protocol": row.protocol, "text": text, "kind": "reply"},
                    ),
                    next_attempt_at=self.now(),
                    created_at=self.now(),
                )
            )
            await announce(session, "outbox")
        return message

    def _has_adapter(self, channel: str) -> bool:
        registered = self.channels.get(channel)
        return registered is not None and registered.spec.adapter is not None

    def adapter(self, channel: str) -> ChannelAdapter | None:
        """The delivery adapter of ``channel`` (built once), or None."""
        if channel not in self._adapters:
            registered = self.channels.get(channel)
            if registered is None or registered.spec.adapter is None:
                return None
            self._adapters[channel] = registered.spec.adapter(registered.config, self)
        return self._adapters[channel]

    async def enqueue(
        self,
        channel: str,
        *,
        idempotency_key: str,
        text: str,
        protocol: str | None = None,
        kind: str = "notification",
        extra: dict[str, Any] | None = None,
        message_id: int | None = None,
        ordering_key: str | None = None,
    ) -> bool:
        """Queue a delivery (e.g. a reminder) on ``channel``; False when the key exists.
        With ``message_id`` the delivery carries that timeline message, whose delivery
        state then follows this one (e.g. a web-form answer also sent by e-mail).
        Deliveries with the same ``ordering_key`` (by default the protocol: one citizen's
        messages about one case) are sent one at a time, in the order queued."""
        async with self.database.write() as session:
            created = await insert_ignore(
                session,
                OutboxRow,
                {
                    "channel": channel,
                    "ordering_key": ordering_key or protocol,
                    "idempotency_key": idempotency_key,
                    "payload": self._sealed_payload(
                        idempotency_key,
                        {"protocol": protocol, "text": text, "kind": kind, "extra": extra or {}},
                    ),
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": self.now(),
                    "created_at": self.now(),
                    "message_id": message_id,
                },
                returning=OutboxRow.id,
            )
            await announce(session, "outbox")
        return created is not None

    def _sealed_payload(self, idempotency_key: str, payload: dict[str, Any]) -> dict[str, Any]:
        plaintext = msgspec.json.encode(payload)
        sealed: dict[str, Any] = sealed_value(self.seals, OUTBOX, plaintext, idempotency_key)
        return sealed

    def outbox_payload(self, row: OutboxRow) -> dict[str, Any]:
        """An outbox row's payload, opened (empty once purged)."""
        plaintext = stored_plaintext(self.seals, OUTBOX, row.payload, row.idempotency_key)
        return {} if plaintext is None else dict(msgspec.json.decode(plaintext))

    def inbound_body(self, channel: str, external_id: str, body: bytes) -> bytes:
        """A stored inbound event's body, opened (empty once purged)."""
        return stored_plaintext(self.seals, INBOUND, body, (channel, external_id)) or b""

    async def update_delivery(
        self, channel: str, external_id: str, state: str, error: str | None = None
    ) -> bool:
        """A channel's delivery status; statuses only move forward, a failure is kept with
        its error. False when no message has that id (the caller may keep the status)."""
        async with self.database.write() as session:
            query = select(MessageRow).where(
                MessageRow.channel == channel, MessageRow.external_id == external_id
            )
            # statuses of one message may be processed at once by several workers: the row
            # lock makes "only forward" hold (on SQLite the write transaction is exclusive)
            message = (await session.scalars(query.with_for_update())).one_or_none()
            if message is None:
                return False
            _advance(message, state, error)
        return True

    # -- lifecycle --------------------------------------------------------------------

    async def transition(
        self, protocol: str, target: State | str, actor: Actor, reason: str = ""
    ) -> Manifestation:
        """Move a manifestation to ``target``: checked against the table, then every
        plugin's veto hook; recorded with who, when and why."""
        target = State(target)
        outcome = await self._reopening(protocol, target)
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            require(actor, Access.TRANSITION, to_view(row), target)
            check_transition(State(row.state), target)
            await self._vetoes(row, target, actor, reason)
            events = await self._move(session, row, target, actor, reason)
            if outcome is not None:
                events += await self._apply_decision(session, row, outcome)
            view = to_view(row)
            await self._emit(session, events)
        return view

    async def _reopening(self, protocol: str, target: State) -> Outcome | None:
        """A concluded or archived manifestation going back to triage is routed again
        (rules are evaluated before the write transaction opens)."""
        if target is not State.TRIAGE:
            return None
        current = await self.get(protocol)
        if current.state not in (State.CLOSED, State.ARCHIVED):
            return None
        return await route(self.rules, current)

    async def _vetoes(
        self, row: ManifestationRow, target: State, actor: Actor, reason: str
    ) -> None:
        answers = await self.host.ask(
            "balcao_validate_transition",
            manifestation=to_view(row),
            source=State(row.state),
            target=target,
            actor=actor,
            reason=reason,
        )
        refusals = [f"{name}: {v.reason}" for name, v in answers if isinstance(v, Veto)]
        if refusals:
            raise TransitionRefused("transição recusada por " + "; ".join(refusals))

    async def _move(
        self, session: AsyncSession, row: ManifestationRow, target: State, actor: Actor, reason: str
    ) -> list[EventBase]:
        source, now = State(row.state), self.now()
        check_transition(source, target)
        event = record_transition(session, row, target, actor, reason, now)
        await deadline_effects(session, self.calendar, row, source, target, now, self.today())
        audit.record(
            session,
            now,
            actor,
            "transition",
            row.protocol,
            source=source.value,
            target=target.value,
            reason=reason,
        )
        if target.is_open:
            return [event]
        closed = Closed(protocol=row.protocol, occurred_at=now, state=target.value)
        return [event, closed, *survey.requested(row, target, now)]

    async def forward(self, protocol: str, unit: str, extract: str, actor: Actor) -> None:
        """Forward to a unit: it sees ``extract`` only, and has 20 (+20) days to answer."""
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            require(actor, Access.FORWARD, to_view(row))
            check_transition(State(row.state), State.FORWARDED)
            await self._vetoes(row, State.FORWARDED, actor, f"encaminhada à unidade {unit}")
            events = await self._forward(session, row, unit, actor, extract)
            await self._emit(session, events)

    async def _forward(
        self, session: AsyncSession, row: ManifestationRow, unit: str, actor: Actor, extract: str
    ) -> list[EventBase]:
        now = self.now()
        row.unit_code = unit
        session.add(self._internal(row, extract, actor, forward_to=unit))
        events = await self._move(
            session, row, State.FORWARDED, actor, f"encaminhada à unidade {unit}"
        )
        deadlines.start(session, self.calendar, row, Purpose.UNIT, self.today(), unit)
        return [
            *events,
            Forwarded(protocol=row.protocol, occurred_at=now, unit=unit, actor=actor.label),
        ]

    async def extend_deadline(
        self, protocol: str, purpose: Purpose | str, reason: str, actor: Actor
    ) -> DeadlineView:
        """The single extension the law allows, with its justification."""
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            found = await deadlines.open_deadlines(session, row.id, Purpose(purpose))
            if not found:
                raise NotFound(f"nenhum prazo '{Purpose(purpose).label}' em aberto")
            deadlines.extend(found[-1], self.calendar, to_view(row).kind, reason)
            audit.record(
                session,
                self.now(),
                actor,
                "extend_deadline",
                row.protocol,
                purpose=str(purpose),
                reason=reason,
            )
            return deadlines.view(found[-1], self.today())

    # -- identity ---------------------------------------------------------------------

    async def reveal_identity(
        self, protocol: str, actor: Actor, reason: str, action: str = "identity_view"
    ) -> Citizen | None:
        """The citizen's identity, always written to the audit log with the reason. Among
        staff only the ``ouvidor`` may see it; a plugin (e.g. an export the citizen consented
        to) asks as itself, with ``action`` naming what it does with it."""
        if actor.kind != "plugin":
            await self.authorize(protocol, actor, Access.REVEAL_IDENTITY)
        if not reason.strip():
            raise ValueError("informe o motivo para ver a identidade")
        async with self.database.write() as session:
            row = await self._load(session, protocol)
            audit.record(session, self.now(), actor, action, row.protocol, reason=reason.strip())
            return identity.unseal(self.keys, row.identity).citizen

    async def mask_identity(self, protocol: str, text: str) -> str:
        """``text`` with the citizen's name (or a part of it) replaced by the case's
        pseudonym: for what a plugin stores from elsewhere (a meeting's participant list). The
        identity never reaches the caller, so nothing is revealed nor audited."""
        async with self.database.read() as session:
            row = await self._load(session, protocol)
            sealed = identity.unseal(self.keys, row.identity)
            alias = row.identity.pseudonym if row.identity else "Manifestante"
        name = sealed.citizen.name if sealed.citizen else None
        return _replace_name(text, name, alias) if name else text

    async def record_falabr_nup(self, protocol: str, nup: str, actor: Actor) -> None:
        """Record the NUP Fala.BR assigned (shown as ``Manifestation.falabr_nup``); audited."""
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            row.falabr_nup, row.falabr_registered_at = nup, self.now()
            row.updated_at = self.now()
            audit.record(session, self.now(), actor, "falabr_nup", row.protocol, nup=nup)

    async def reseal(self) -> ResealReport:
        """Re-encrypt every registered sealed column (core and plugins) under the current
        key and re-key every lookup hash; what is already current is left alone."""
        async with self.database.write() as session:
            return await reseal_all(session, self.seals)

    async def recipient(self, protocol: str) -> str | None:
        """The channel address a reply goes to (decrypted only for delivery)."""
        async with self.database.read() as session:
            row = await load(session, protocol)
            return None if row is None else identity.unseal(self.keys, row.identity).channel_address

    # -- inbound events, rate limits ---------------------------------------------------

    async def persist_inbound(
        self, channel: str, external_id: str, body: bytes, ordering_key: str | None = None
    ) -> bool:
        """Store a raw inbound event before acknowledging it; False for a duplicate.
        The worker then hands it to the channel's ``inbound`` processor. Events with the
        same ``ordering_key`` (say, one conversation) are processed one at a time, in the
        order they were stored, by whichever worker."""
        external_id = inbound_key(external_id)
        values = {
            "channel": channel,
            "external_id": external_id,
            "ordering_key": ordering_key,
            "body": sealed_value(self.seals, INBOUND, body, (channel, external_id)),
            "received_at": self.now(),
            "state": "pending",
            "attempts": 0,
            "next_attempt_at": self.now(),
        }

        # concurrent webhooks share one commit (one fsync on SQLite): see _db/group.py
        return await self.database.grouped(partial(store_inbound, values=values))

    async def allow(self, key: str, limit: int, window: dt.timedelta) -> bool:
        """A fixed-window rate limit shared by every app instance: False once exceeded."""
        async with self.database.write() as session:
            return await rate_limits.hit(await session.connection(), self.now(), key, limit, window)

    async def allow_access_attempt(self, client: str) -> bool:
        """One hourly budget of access-code checks per client address, shared by every
        route that checks a code (tracking, a channel's own pages): a second route must
        not give a second set of guesses."""
        limit = self.settings.tracking_rate_limit_per_hour
        return await self.allow(f"access-code:{client}", limit, dt.timedelta(hours=1))

    # -- satisfaction survey ---------------------------------------------------------

    async def survey(self, protocol: str) -> SurveyView:
        """Where the manifestation's satisfaction survey stands (open, answer given)."""
        async with self.database.read() as session:
            row = await self._load(session, protocol)
            answer = await survey.load_answer(session, row.id)
        return survey.survey_view(row, answer, self.now(), self.settings.survey_change_days)

    async def answer_survey(self, protocol: str, answer: SurveyAnswer, channel: str) -> SurveyView:
        """Store the citizen's answer, given through ``channel``; changeable for
        ``survey_change_days``. Raises :class:`SurveyClosed` when not open."""
        days = self.settings.survey_change_days
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            event = await survey.save_answer(
                session, row, answer, channel, now=self.now(), change_days=days
            )
            await self._emit(session, [event])
        return await self.survey(protocol)

    # -- staff workspace -------------------------------------------------------------

    async def set_away(self, user_id: int, away: bool, actor: Actor) -> None:
        """Mark a staff member away (round-robin routing skips them) or back."""
        async with self.database.write() as session:
            user = await session.get(UserRow, user_id)
            if user is None:
                raise NotFound("usuário não encontrado")
            user.away = away
            audit.record(
                session, self.now(), actor, "away" if away else "back", None, user=user.email
            )

    async def is_away(self, user_id: int) -> bool:
        async with self.database.read() as session:
            user = await session.get(UserRow, user_id)
            return bool(user and user.away)

    async def assign(self, protocol: str, user_id: int | None, actor: Actor) -> Manifestation:
        """Give the manifestation to a staff member (``None``: nobody)."""
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            if user_id is not None:
                user = await session.get(UserRow, user_id)
                if user is None or not user.active or user.role not in ("ouvidor", "atendente"):
                    raise InvalidManifestation("assignee", "escolha um membro ativo da ouvidoria")
            row.assignee_id, row.updated_at = user_id, self.now()
            audit.record(session, self.now(), actor, "assign", row.protocol, user_id=user_id)
            return to_view(row)

    async def request_complementation(self, protocol: str, text: str, actor: Actor) -> int:
        """Ask the citizen for more information: the request goes out through the channel and
        the case waits for the citizen (the response clock pauses the first time)."""
        if not text.strip():
            raise InvalidManifestation("text", "escreva o que falta na manifestação")
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            check_transition(State(row.state), State.AWAITING_CITIZEN)
            message = await self._outbound(session, row, text, actor)
            events = await self._move(
                session, row, State.AWAITING_CITIZEN, actor, "pedido de complementação"
            )
            audit.record(session, self.now(), actor, "request_complementation", row.protocol)
            await self._emit(
                session, [self._replied(row, message, actor, "complementation"), *events]
            )
        return message.id

    async def unit_answer(self, protocol: str, text: str, actor: Actor) -> int:
        """A unit's answer: goes back to the ouvidoria (never straight to the citizen)."""
        if not text.strip():
            raise InvalidManifestation("text", "escreva a resposta da unidade")
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            message = self._internal(row, text, actor, unit_answer=row.unit_code)
            session.add(message)
            await session.flush()
            events = await self._move(
                session, row, State.UNIT_ANSWERED, actor, f"resposta da unidade {row.unit_code}"
            )
            await self._emit(session, events)
        return message.id

    async def merge(self, protocol: str, into: str, actor: Actor) -> Manifestation:
        """Merge a duplicate into another manifestation: its citizen messages are copied
        there, it is archived with a note pointing to the other one."""
        async with self.database.write() as session:
            source = await self._load(session, protocol, for_update=True)
            target = await self._load(session, into, for_update=True)
            if source.id == target.id:
                raise InvalidManifestation("into", "escolha outra manifestação")
            _check_merge(actor, to_view(source), to_view(target))
            check_transition(State(source.state), State.ARCHIVED)
            await self._copy_messages(session, source, target)
            reason = f"duplicada: mesclada em {target.protocol}"
            events = await self._move(session, source, State.ARCHIVED, actor, reason)
            source.extra = {**(source.extra or {}), "merged_into": target.protocol}
            audit.record(session, self.now(), actor, "merge", source.protocol, into=target.protocol)
            audit.record(
                session, self.now(), actor, "merged_from", target.protocol, source=protocol
            )
            view = to_view(target)
            await self._emit(session, events)
        return view

    async def _copy_messages(
        self, session: AsyncSession, source: ManifestationRow, target: ManifestationRow
    ) -> None:
        """The source's citizen messages, as staff-only notes of the target: the two cases
        may come from different citizens, and one citizen's tracking must never show
        another's text."""
        query = select(MessageRow).where(
            MessageRow.manifestation_id == source.id, MessageRow.direction == "inbound"
        )
        for message in await session.scalars(query.order_by(MessageRow.id)):
            session.add(
                MessageRow(
                    manifestation_id=target.id,
                    direction="internal",
                    channel=message.channel,
                    text=message.text,
                    created_at=message.created_at,
                    extra={"merged_from": source.protocol},
                )
            )
        target.updated_at = self.now()

    async def citizen_cases(self, protocol: str) -> list[str]:
        """Protocols held about the citizen of ``protocol``: same e-mail, CPF, phone or
        channel address (identities are sealed, so each is opened in memory)."""
        async with self.database.read() as session:
            row = await self._load(session, protocol)
            own = identity.unseal(self.keys, row.identity)
            marks = _identity_marks(own, row.identity)
            if not marks:
                return [row.protocol]
            query = select(IdentityRow, ManifestationRow.protocol).join(ManifestationRow)
            found = [
                number
                for item, number in (
                    await session.execute(query.where(IdentityRow.sealed.isnot(None)))
                ).all()
                if marks & _identity_marks(identity.unseal(self.keys, item), item)
            ]
        return sorted(set(found) | {row.protocol})

    async def export_citizen(self, protocol: str, actor: Actor, reason: str) -> dict[str, Any]:
        """Everything held about the citizen of ``protocol`` (LGPD art. 18), logged."""
        await self.authorize(protocol, actor, Access.LGPD)
        protocols = await self.citizen_cases(protocol)
        cases: list[dict[str, Any]] = []
        async with self.database.write() as session:
            for number in protocols:
                row = await self._load(session, number)
                cases.append(await _case_export(session, self.keys, row))
            audit.record(
                session,
                self.now(),
                actor,
                "lgpd_export",
                protocol,
                protocols=protocols,
                reason=reason.strip(),
            )
        return {"generated_at": self.now().isoformat(), "manifestations": cases}

    async def anonymise_citizen(self, protocol: str, actor: Actor, reason: str) -> list[str]:
        """Erase the citizen's identity from every case held about them (the cases stay,
        for statistics); their name is also replaced in the texts. Logged."""
        await self.authorize(protocol, actor, Access.LGPD)
        if not reason.strip():
            raise InvalidManifestation("reason", "informe o motivo da anonimização")
        protocols = await self.citizen_cases(protocol)
        case_ids: list[int] = []
        async with self.database.write() as session:
            for number in protocols:
                row = await self._load(session, number, for_update=True)
                await _erase_identity(session, self.keys, row, self.now())
                case_ids.append(row.id)
            await erase_channel_traces(session, self.seals, case_ids, protocols)
            audit.record(
                session,
                self.now(),
                actor,
                "lgpd_anonymise",
                protocol,
                protocols=protocols,
                reason=reason.strip(),
            )
        return protocols


def _check_merge(actor: Actor, source: Manifestation, target: Manifestation) -> None:
    """Both cases must be open to ``actor`` for merging; a denúncia merges only with another."""
    require(actor, Access.MERGE, source)
    require(actor, Access.MERGE, target)
    if source.kind.whistleblowing != target.kind.whistleblowing:
        raise InvalidManifestation("into", "uma denúncia só pode ser mesclada com outra denúncia")


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


def _attachment_view(row: AttachmentRow) -> Attachment:
    return Attachment(
        id=row.id,
        filename=row.filename,
        media_type=row.media_type,
        size=row.size,
        sha256=row.sha256,
        state=row.state,
        created_at=row.created_at,
        message_id=row.message_id,
    )


def _advance(message: MessageRow, state: str, error: str | None) -> None:
    if state == "failed":
        message.delivery_state, message.delivery_error = "failed", error
        return
    current = _DELIVERY_ORDER.get(message.delivery_state or "pending", 0)
    if message.delivery_state != "failed" and _DELIVERY_ORDER.get(state, -1) > current:
        message.delivery_state = state


def _identity_marks(sealed: identity.Sealed, row: IdentityRow | None) -> set[str]:
    """What identifies a citizen across cases: e-mail, CPF, phone digits, channel address."""
    citizen = sealed.citizen or Citizen()
    marks = {f"email:{citizen.email.strip().lower()}"} if citizen.email else set()
    for kind, value in (
        ("cpf", citizen.cpf),
        ("phone", citizen.phone),
        ("phone", citizen.whatsapp),
    ):
        digits = "".join(c for c in value or "" if c.isdigit())
        if len(digits) >= 8:
            marks.add(f"{kind}:{digits[-11:]}")
    if row is not None and row.channel_address_hash:
        marks.add(f"address:{row.channel_address_hash}")
    return marks


async def _case_export(session: AsyncSession, keys: Any, row: ManifestationRow) -> dict[str, Any]:
    sealed = identity.unseal(keys, row.identity)
    query = select(MessageRow).where(MessageRow.manifestation_id == row.id)
    messages = (await session.scalars(query.order_by(MessageRow.id))).all()
    files = (
        await session.scalars(select(AttachmentRow).where(AttachmentRow.manifestation_id == row.id))
    ).all()
    return {
        "protocol": row.protocol,
        "kind": row.kind,
        "channel": row.channel,
        "state": row.state,
        "created_at": row.created_at.isoformat(),
        "subject": row.subject,
        "description": row.description,
        "citizen": msgspec.to_builtins(sealed.citizen) if sealed.citizen else None,
        "channel_address": sealed.channel_address,
        "messages": [
            {
                "at": m.created_at.isoformat(),
                "direction": m.direction,
                "channel": m.channel,
                "text": m.text,
            }
            for m in messages
            if m.direction != "internal"
        ],
        "attachments": [{"filename": f.filename, "media_type": f.media_type} for f in files],
    }


async def _erase_identity(
    session: AsyncSession, keys: Any, row: ManifestationRow, now: dt.datetime
) -> None:
    sealed = identity.unseal(keys, row.identity)
    name = sealed.citizen.name if sealed.citizen else None
    if row.identity is not None:
        row.identity.sealed, row.identity.channel_address_hash = None, None
        row.identity.erased_at = now
    if not name:
        return
    alias = row.identity.pseudonym if row.identity else "Manifestante"
    row.description = _replace_name(row.description, name, alias)
    row.subject = _replace_name(row.subject, name, alias)
    row.search_text = search_text(row.protocol, row.subject, row.description)
    query = select(MessageRow).where(MessageRow.manifestation_id == row.id)
    for message in await session.scalars(query):
        message.text = _replace_name(message.text, name, alias)


def _replace_name(text: str, name: str, alias: str) -> str:
    return replace_name(text, name, alias)  # the same name matcher as the extract
