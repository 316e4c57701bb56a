"""The core's tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from balcao._db.types import Base

__all__ = [
    "ApiToken",
    "AttachmentRow",
    "AuditEntry",
    "Claimable",
    "DeadlineRow",
    "EventDelivery",
    "IdentityRow",
    "InboundEvent",
    "ManifestationRow",
    "MessageRow",
    "OutboxRow",
    "ProtocolCounter",
    "RateLimitRow",
    "ScheduleRow",
    "StaffLogin",
    "StaffSession",
    "TransitionRow",
    "UnitRow",
    "UserRow",
    "WorkerHeartbeat",
]


class ProtocolCounter(Base):
    __tablename__ = "protocol_counters"
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(default=0)


class ManifestationRow(Base):
    __tablename__ = "manifestations"
    __table_args__ = (
        UniqueConstraint("year", "sequence", name="uq_manifestations_year_sequence"),
        Index("uq_manifestations_intake_key", "intake_key", unique=True),
        Index("ix_manifestations_state_created", "state", "created_at"),
        # the inbox lists newest first, per unit and per assignee
        Index("ix_manifestations_created_id", "created_at", "id"),
        Index("ix_manifestations_assignee", "assignee_id"),
        # a unit member's inbox counts per state up to the cap from this index alone
        Index("ix_manifestations_unit_state", "unit_code", "state", "created_at"),
        # and so do a kind's or a channel's (alone, a kind's index holds a sixth of every
        # case, and PostgreSQL intersected it with the others: 53 ms at 1,000,000)
        Index("ix_manifestations_kind", "kind", "state", "created_at"),
        Index("ix_manifestations_channel", "channel", "state", "created_at"),
        # the overdue and due-soon cases, a unit's too, and their count per state, read from
        # these alone (the state makes the per-state count an index-only scan)
        Index("ix_manifestations_due_on", "due_on", "state"),
        Index("ix_manifestations_unit_due_on", "unit_code", "due_on", "state"),
        # the yearly report counts from this index alone, without reading the case text
        Index(
            "ix_manifestations_report",
            "year",
            "kind",
            "channel",
            "unit_code",
            "state",
            "created_at",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    protocol: Mapped[str] = mapped_column(String(16), unique=True)
    year: Mapped[int]
    sequence: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    anonymous: Mapped[bool] = mapped_column(default=False)
    access_code_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    updated_at: Mapped[dt.datetime]
    closed_at: Mapped[dt.datetime | None]
    unit_code: Mapped[str | None] = mapped_column(String(32), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    tags: Mapped[list[str]] = mapped_column(default=list)
    confidential: Mapped[bool] = mapped_column(default=False)
    routed_by: Mapped[str | None] = mapped_column(String(120))
    routing_reason: Mapped[str | None] = mapped_column(Text)
    complementation_used: Mapped[bool] = mapped_column(default=False)
    falabr_nup: Mapped[str | None] = mapped_column(String(32))
    falabr_registered_at: Mapped[dt.datetime | None]
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # keyed digest of the submission's idempotency key: a repeat gets the same receipt
    intake_key: Mapped[str | None] = mapped_column(String(64))
    # the nearest open deadline's last day, or None: written only by the database's
    # triggers on ``deadlines`` (migration 0011), never by the application
    due_on: Mapped[dt.date | None]

    identity: Mapped[IdentityRow | None] = relationship(back_populates="manifestation")

    @classmethod
    def past_due(cls, today: dt.date) -> ColumnElement[bool]:
        # the case has an open deadline past due (``DeadlineRow.past_due``) exactly when
        # its nearest open one is, which the triggers keep in ``due_on``
        return cls.due_on < today


class IdentityRow(Base):
    """The citizen's identity, apart from the case text and encrypted at rest."""

    __tablename__ = "identities"
    id: Mapped[int] = mapped_column(primary_key=True)
    manifestation_id: Mapped[int] = mapped_column(ForeignKey("manifestations.id"), unique=True)
    sealed: Mapped[str | None] = mapped_column(Text)
    channel_address_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    pseudonym: Mapped[str] = mapped_column(String(32))
    erased_at: Mapped[dt.datetime | None]

    manifestation: Mapped[ManifestationRow] = relationship(back_populates="identity")


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_messages_external"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    manifestation_id: Mapped[int] = mapped_column(ForeignKey("manifestations.id"), index=True)
    direction: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    external_id: Mapped[str | None] = mapped_column(String(200))
    delivery_state: Mapped[str | None] = mapped_column(String(16))
    delivery_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AttachmentRow(Base):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    manifestation_id: Mapped[int] = mapped_column(ForeignKey("manifestations.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    sha256: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="stored")
    source: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime]


class DeadlineRow(Base):
    __tablename__ = "deadlines"
    __table_args__ = (
        Index("ix_deadlines_open_due", "met_at", "due_on"),
        Index("ix_deadlines_open_by_case", "manifestation_id", "met_at", "due_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    manifestation_id: Mapped[int] = mapped_column(ForeignKey("manifestations.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    unit_code: Mapped[str | None] = mapped_column(String(32))
    started_on: Mapped[dt.date]
    due_on: Mapped[dt.date] = mapped_column(index=True)
    extended: Mapped[bool] = mapped_column(default=False)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    paused_on: Mapped[dt.date | None]
    met_at: Mapped[dt.datetime | None]
    warned_near: Mapped[bool] = mapped_column(default=False)
    warned_overdue: Mapped[bool] = mapped_column(default=False)

    @classmethod
    def past_due(cls, today: dt.date) -> ColumnElement[bool]:
        # the one definition of "overdue": still open, and its last day is behind us
        return and_(cls.met_at.is_(None), cls.due_on < today)


class TransitionRow(Base):
    __tablename__ = "transitions"
    id: Mapped[int] = mapped_column(primary_key=True)
    manifestation_id: Mapped[int] = mapped_column(ForeignKey("manifestations.id"), index=True)
    source: Mapped[str | None] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime]


class AuditEntry(Base):
    """Append-only: the code never updates or deletes a row here."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(200), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    protocol: Mapped[str | None] = mapped_column(String(16), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class UnitRow(Base):
    __tablename__ = "units"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    parent_code: Mapped[str | None] = mapped_column(String(32))


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    away: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime]
    # set by a password reset: every page asks for a new password first
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # set by the ouvidor: every page asks to enrol the second factor first
    second_factor_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    digest_opt_in: Mapped[bool] = mapped_column(default=False, server_default=false())


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class Claimable:
    """The columns the delivery engine claims rows by: one owner at a time, under a lease
    the owner renews while it works; completion is conditional on still being the owner."""

    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime | None]
    lease_until: Mapped[dt.datetime | None]
    owner: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)


class OutboxRow(Claimable, Base):
    """Deliveries; those sharing an ``ordering_key`` (one manifestation's replies) are sent
    one at a time, in ``id`` order."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "state", "next_attempt_at"),
        Index("ix_outbox_order", "ordering_key", "state", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(64))
    ordering_key: Mapped[str | None] = mapped_column(String(200))
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    next_attempt_at: Mapped[dt.datetime] = mapped_column()
    created_at: Mapped[dt.datetime]
    delivered_at: Mapped[dt.datetime | None]
    receipt: Mapped[str | None] = mapped_column(String(200))


class InboundEvent(Claimable, Base):
    """Raw events from channels, stored before they are acknowledged. Events that share an
    ``ordering_key`` (one conversation) are processed one at a time, in ``id`` order."""

    __tablename__ = "inbound_events"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_inbound_external"),
        Index("ix_inbound_due", "state", "next_attempt_at"),
        Index("ix_inbound_order", "ordering_key", "state", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(200))
    ordering_key: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[dt.datetime]
    processed_at: Mapped[dt.datetime | None]


class EventDelivery(Claimable, Base):
    """A lifecycle event for one plugin's ``balcao_on_event``, written in the transaction
    of the change it describes; each handler is retried and dead-lettered on its own."""

    __tablename__ = "event_deliveries"
    __table_args__ = (
        Index("ix_event_deliveries_due", "state", "next_attempt_at"),
        Index("ix_event_deliveries_order", "ordering_key", "state", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(32), index=True)
    handler: Mapped[str] = mapped_column(String(120))
    # one handler gets one manifestation's events in the order they happened
    ordering_key: Mapped[str | None] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(64))
    protocol: Mapped[str | None] = mapped_column(String(16))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]


class ScheduleRow(Claimable, Base):
    """When each periodic job runs next; shared by every worker."""

    __tablename__ = "schedule"
    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    next_attempt_at: Mapped[dt.datetime] = mapped_column()


class RateLimitRow(Base):
    """Fixed-window counters shared by every app instance."""

    __tablename__ = "rate_limits"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[dt.datetime]
    count: Mapped[int] = mapped_column(default=0)


class StaffSession(Base):
    """A staff browser session; the cookie holds a random token, the table its keyed hash."""

    __tablename__ = "staff_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    second_factor_pending: Mapped[bool] = mapped_column(default=False)
    revoked_at: Mapped[dt.datetime | None]
    # for the idle timeout; written at most once a minute per session
    last_seen_at: Mapped[dt.datetime | None]


class StaffLogin(Base):
    """Failed logins per account, for lockout and slow-down, and the optional TOTP secret."""

    __tablename__ = "staff_logins"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None]
    totp_sealed: Mapped[str | None] = mapped_column(Text)
    totp_last_step: Mapped[int | None]
    # Wrong second-factor codes in a row, apart from wrong passwords: a correct password
    # must not wipe the count of guessed codes.
    totp_failures: Mapped[int] = mapped_column(default=0, server_default="0")


class WorkerHeartbeat(Base):
    """When each worker (host and process) last finished a round."""

    __tablename__ = "worker_heartbeats"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    seen_at: Mapped[dt.datetime]
