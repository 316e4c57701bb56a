"""Value objects the core hands to plugins and takes from them."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import msgspec

from balcao._domain.kinds import Kind
from balcao._domain.lifecycle import State

__all__ = [
    "Actor",
    "Attachment",
    "Citizen",
    "DeadlineView",
    "DeliveryFailed",
    "DeliveryReceipt",
    "IncomingFile",
    "Manifestation",
    "MessageView",
    "NewManifestation",
    "OutboundMessage",
    "Receipt",
    "RoutingDecision",
    "Veto",
]

Role = Literal["ouvidor", "atendente", "unidade", "auditor"]


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """Who does something: a staff user, the citizen, the system or a plugin."""

    kind: Literal["user", "citizen", "system", "plugin"]
    name: str
    user_id: int | None = None
    role: Role | None = None
    unit_code: str | None = None

    @property
    def label(self) -> str:
        """``kind:name``, how the actor is written in the audit log and the timeline."""
        return f"{self.kind}:{self.name}"

    @classmethod
    def system(cls, name: str = "balcao") -> Actor:
        """The balcão itself (or one of its jobs, named ``name``) as the actor."""
        return cls(kind="system", name=name)

    @classmethod
    def plugin(cls, name: str) -> Actor:
        """The plugin ``name`` as the actor of what it does on its own (e.g. a job)."""
        return cls(kind="plugin", name=name)


class Citizen(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The citizen's identification; stored encrypted, apart from the case text."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    cpf: str | None = None
    whatsapp: str | None = None


class IncomingFile(msgspec.Struct, frozen=True, kw_only=True):
    """A file a citizen sent; its declared type is not trusted."""

    filename: str
    content: bytes
    declared_type: str | None = None


class NewManifestation(msgspec.Struct, frozen=True, kw_only=True):
    """What a channel hands the core to register a manifestation."""

    kind: Kind
    channel: str
    description: str
    subject: str = ""
    anonymous: bool = False
    citizen: Citizen | None = None
    channel_address: str | None = None
    external_id: str | None = None
    files: tuple[IncomingFile, ...] = ()
    extra: dict[str, Any] = {}


class Receipt(msgspec.Struct, frozen=True, kw_only=True):
    """The protocol number and the access code, shown to the citizen once; ``deadline``:
    the response deadline as it stands when the receipt is given (None when none runs)."""

    protocol: str
    access_code: str | None
    deadline: DeadlineView | None = None


class Attachment(msgspec.Struct, frozen=True, kw_only=True):
    """A file attached to a manifestation; read its bytes with ``Desk.read_attachment``."""

    id: int
    filename: str
    media_type: str
    size: int
    sha256: str | None
    state: str
    created_at: dt.datetime
    message_id: int | None = None


class DeadlineView(msgspec.Struct, frozen=True, kw_only=True):
    """One open deadline of a manifestation: what for (``purpose`` and its pt-BR ``label``), due
    when, how many days are left, and whether it was extended or is paused."""

    purpose: str
    label: str
    due_on: dt.date
    days_left: int
    extended: bool
    paused: bool
    unit_code: str | None = None


class Manifestation(msgspec.Struct, frozen=True, kw_only=True):
    """A read-only snapshot of a manifestation, never with the citizen's identity."""

    id: int
    protocol: str
    kind: Kind
    channel: str
    state: State
    subject: str
    description: str
    anonymous: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    pseudonym: str
    unit_code: str | None = None
    assignee_id: int | None = None
    priority: str = "normal"
    tags: tuple[str, ...] = ()
    confidential: bool = False
    routed_by: str | None = None
    routing_reason: str | None = None
    falabr_nup: str | None = None
    extra: dict[str, Any] = {}


class MessageView(msgspec.Struct, frozen=True, kw_only=True):
    """One message of a manifestation's timeline: from the citizen (``inbound``), to the citizen
    (``outbound``, with its delivery state) or an internal note."""

    id: int
    direction: Literal["inbound", "outbound", "internal"]
    channel: str
    text: str
    created_at: dt.datetime
    author: str | None = None
    delivery_state: str | None = None
    delivery_error: str | None = None


class OutboundMessage(msgspec.Struct, frozen=True, kw_only=True):
    """One delivery the worker hands a channel adapter. Send it at most once per
    ``idempotency_key`` where the channel allows it: a retry carries the same key.

    ``recipient`` is the address the delivery was queued with or, when none was given and
    ``protocol`` is set, the citizen's address on this channel, opened by the worker just
    before sending (``None`` when there is none). ``attempt`` is 1 on the first try.
    ``kind`` says what it is: ``reply`` for a staff answer on the timeline (the default) or
    whatever the caller of :meth:`balcao.Desk.enqueue` named (``notification`` by default,
    or a plugin's own kind such as a reminder); ``extra`` carries what that caller added."""

    idempotency_key: str
    protocol: str | None
    recipient: str | None
    text: str
    attempt: int
    kind: str = "reply"
    extra: dict[str, Any] = {}


class DeliveryReceipt(msgspec.Struct, frozen=True, kw_only=True):
    """The channel's answer to a delivery: its own id for the message, if any."""

    external_id: str | None = None
    state: Literal["sent", "delivered"] = "sent"


class DeliveryFailed(Exception):
    """Raised by a channel adapter. ``retryable`` failures go back to the outbox with
    backoff (or after ``retry_after`` seconds); the others go straight to dead letter."""

    def __init__(
        self, message: str, *, retryable: bool = True, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class RoutingDecision(msgspec.Struct, frozen=True, kw_only=True):
    """What a routing rule decides; ``reason`` says why, in words staff understand."""

    reason: str
    forward_to: str | None = None
    assign_to: str | None = None
    priority: str | None = None
    tags: tuple[str, ...] = ()
    confidential: bool = False
    stop: bool = True
    round_robin: str | None = None  # a unit code: assign to its next available member


class Veto(msgspec.Struct, frozen=True, kw_only=True):
    """Returned by ``balcao_validate_transition`` to refuse a transition, with the reason."""

    reason: str
