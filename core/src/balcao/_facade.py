"""What a plugin may ask of the core: the :class:`PluginDesk` protocol.

This protocol is the compatibility promise: its names, arguments and errors change only with
a deprecation period. Everything else on the object a plugin is handed is the core's own and
may change in any release; ``tests/core/layering`` fails when a bundled plugin reaches for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from balcao._access import Access
    from balcao._config import Settings
    from balcao._domain.calendar import BusinessCalendar
    from balcao._domain.lifecycle import State
    from balcao._domain.survey import SurveyAnswer
    from balcao._events import EventBase
    from balcao._sealing import Sealer
    from balcao._services.read_model import ReadModel
    from balcao._services.survey import SurveyView
    from balcao._specs import ChannelAdapter, ChannelSpec, Registered
    from balcao._storage import PluginStorage
    from balcao._types import (
        Actor,
        Attachment,
        Citizen,
        DeadlineView,
        IncomingFile,
        Manifestation,
        NewManifestation,
        Receipt,
    )

__all__ = ["PluginDesk"]

Limits = Sequence[tuple[str, int, dt.timedelta]]


# Remembers the classes found to conform. Litestar checks every route's dependencies with
# isinstance on every request, and a runtime protocol check walks all the members (tens of
# microseconds: more than a whole webhook's handler).
class _CheckedOncePerClass(type(Protocol)):  # type: ignore[misc]
    def __instancecheck__(cls, instance: object) -> bool:
        # kept outside the class: a name in its namespace would become a protocol member
        known = _CONFORMING.setdefault(cls, set())
        if type(instance) in known:
            return True
        conforms: bool = super().__instancecheck__(instance)
        if conforms:
            known.add(type(instance))
        return conforms


_CONFORMING: dict[type, set[type]] = {}


# runtime checkable: Litestar checks a route's dependencies with isinstance
@runtime_checkable
class PluginDesk(Protocol, metaclass=_CheckedOncePerClass):
    """The core as plugins see it: time, intake, messages, the outbox, transitions, files,
    the identity vault (audited), sealing by purpose, the plugin's own storage and the read
    model. Hooks, jobs, adapters and routes receive an object with these members (the app's
    ``Desk``); a plugin uses nothing else of it.

    Errors every method may raise: :class:`balcao.NotFound` for an unknown protocol (also when
    the actor may not see the case), :class:`balcao.Forbidden` when it may see it but not do
    this.
    """

    @property
    def settings(self) -> Settings:
        """The core's settings (read them; never change them)."""

    @property
    def calendar(self) -> BusinessCalendar:
        """Opening hours, holidays and closures; legal day counting."""

    @property
    def channels(self) -> Mapping[str, Registered[ChannelSpec]]:
        """The installed channels by name (``"whatsapp" in desk.channels``)."""

    @property
    def read_model(self) -> ReadModel:
        """Read-only queries over every manifestation, for exporters (no identity)."""

    def storage(self, owner: str, *, prefix: str | None = None) -> PluginStorage:
        """Sessions over the tables of plugin ``owner`` only (names starting with ``prefix``,
        by default ``owner + "_"``).

        Example::

            async with desk.storage("meet").write() as session:
                session.add(BookingRow(...))"""

    def sealer(self, purpose: str) -> Sealer:
        """Seal, open, hash and sign for ``purpose`` (registered with
        ``balcao_register_sealed_columns`` for :meth:`balcao.Sealer.seal`); never the keys.

        Example::

            token = desk.sealer("whatsapp.contact").seal(address, row_id)"""

    def now(self) -> dt.datetime:
        """The current time (UTC, aware); tests move it with ``balcao.testing``'s clock."""

    def today(self) -> dt.date:
        """Today in the balcão's time zone."""

    def is_open(self) -> bool:
        """Whether the office is open now (opening hours, holidays, closures)."""

    async def publish(self, events: Sequence[EventBase]) -> None:
        """Record ``events`` for every plugin's ``balcao_on_event`` (delivered at least once
        by the worker)."""

    async def intake(
        self,
        new: NewManifestation,
        actor: Actor | None = None,
        *,
        limits: Limits = (),
        idempotency_key: str | None = None,
    ) -> Receipt:
        """Register a manifestation, route it and start its deadline; the receipt carries the
        access code in clear (the only time it exists in clear).

        Raises:
            balcao.InvalidManifestation: a field is wrong (named in ``field``).
            balcao.AttachmentRejected: a file is too large or of a type not accepted.
            balcao.RateLimited: one of ``limits`` (``(key, limit, window)``) was exceeded.
            balcao.DuplicateMessage: ``new.external_id`` was already recorded on ``channel``.

        Example::

            receipt = await desk.intake(NewManifestation(kind=Kind.RECLAMACAO, channel="sms",
                                                         subject="...", description="..."))"""

    async def get(self, protocol: str) -> Manifestation:
        """The manifestation (no identity). Raises :class:`balcao.NotFound`."""

    async def authorize(
        self, protocol: str, actor: Actor, action: Access | str, target: State | None = None
    ) -> Manifestation:
        """The manifestation, when ``actor`` may do ``action`` to it (the access policy).
        Staff routes of plugins call it before they touch a case.

        Raises:
            balcao.NotFound: unknown, or not visible to ``actor``.
            balcao.Forbidden: visible, but ``action`` is not allowed."""

    async def deadlines(self, protocol: str) -> list[DeadlineView]:
        """The open deadlines of the manifestation."""

    async def attachments(self, protocol: str) -> list[Attachment]:
        """The files attached to the manifestation, oldest first."""

    def read_attachment(self, attachment: Attachment) -> bytes:
        """The bytes of a stored attachment, checked against its sha256.
        Raises :class:`balcao.NotFound` when not received yet or corrupted."""

    async def verify_access(self, protocol: str, access_code: str) -> Manifestation | None:
        """The manifestation when the code matches, else None (the same for an unknown
        protocol). Prefer :meth:`track`, which is rate-limited."""

    async def track(self, protocol: str, access_code: str, client: str) -> Manifestation | None:
        """Citizen tracking, rate-limited per ``client``. Raises :class:`balcao.RateLimited`."""

    async def allow(self, key: str, limit: int, window: dt.timedelta) -> bool:
        """A fixed-window counter shared by every instance: False once ``limit`` is passed."""

    async def allow_access_attempt(self, client: str) -> bool:
        """One hourly budget of access-code checks per client, shared by every route."""

    async def find_open_by_address(self, channel: str, address: str) -> Manifestation | None:
        """The newest open manifestation that came from ``address`` on ``channel``."""

    async def cases_by_address(
        self, channel: str, address: str, limit: int = 10
    ) -> list[Manifestation]:
        """The manifestations that came from ``address`` on ``channel``, newest first."""

    async def add_message(
        self,
        protocol: str,
        text: str,
        *,
        channel: str,
        external_id: str | None = None,
        files: Sequence[IncomingFile] = (),
    ) -> int | None:
        """Record a citizen's message; its id, or None when ``external_id`` was already
        recorded on ``channel`` (a redelivery). An answer to a complementação request moves
        the case back to triage."""

    async def note(self, protocol: str, text: str, actor: Actor) -> int:
        """An internal note (never shown to the citizen); its message id."""

    async def reply(self, protocol: str, text: str, actor: Actor) -> int:
        """A reply to the citizen, sent through the case's channel by the outbox."""

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
        """Queue a delivery on ``channel`` (the adapter gets an :class:`balcao.OutboundMessage`
        with these fields); False when ``idempotency_key`` was queued before.

        Example::

            await desk.enqueue("whatsapp", idempotency_key=f"reminder:{booking.id}",
                               protocol=booking.protocol, text="Lembrete...")"""

    def adapter(self, channel: str) -> ChannelAdapter | None:
        """The delivery adapter of ``channel`` (built once), or None."""

    async def update_delivery(
        self, channel: str, external_id: str, state: str, error: str | None = None
    ) -> bool:
        """A channel's delivery status (``sent``, ``delivered``, ``read``, ``failed``);
        statuses only move forward. False when no message has that id."""

    async def persist_inbound(
        self, channel: str, external_id: str, body: bytes, ordering_key: str | None = None
    ) -> bool:
        """Store a raw inbound event before acknowledging it; False for a duplicate."""

    async def transition(
        self, protocol: str, target: State | str, actor: Actor, reason: str = ""
    ) -> Manifestation:
        """Move the case to ``target``.

        Raises:
            balcao.IllegalTransition: the lifecycle does not allow it.
            balcao.TransitionRefused: a plugin vetoed it.
            balcao.TransitionConflict: the case changed while the vetoes were asked."""

    async def recipient(self, protocol: str) -> str | None:
        """The channel address a reply goes to (decrypted for delivery only)."""

    async def reveal_identity(
        self, protocol: str, actor: Actor, reason: str, action: str = "identity_view"
    ) -> Citizen | None:
        """The citizen's identity, written to the audit log with ``reason``. A plugin asks
        as itself (``Actor.plugin(name)``); ``action`` names what it does with it.
        Raises ``ValueError`` for an empty reason."""

    async def mask_identity(self, protocol: str, text: str) -> str:
        """``text`` with the citizen's name replaced by the case's pseudonym."""

    async def record_falabr_nup(self, protocol: str, nup: str, actor: Actor) -> None:
        """Record the NUP Fala.BR assigned (audited)."""

    async def survey(self, protocol: str) -> SurveyView:
        """Where the satisfaction survey stands."""

    async def answer_survey(self, protocol: str, answer: SurveyAnswer, channel: str) -> SurveyView:
        """Store the citizen's survey answer. Raises :class:`balcao.SurveyClosed`."""
