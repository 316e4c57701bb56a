"""The plugin's own tables: conversation state, pending media, parked statuses, sends."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from balcao import Base

__all__ = ["ContactRow", "MediaRow", "ParkedStatus", "SentRow", "StateRow"]


class ContactRow(Base):
    """One person talking to the balcão, keyed by a keyed hash of their WhatsApp address."""

    __tablename__ = "whatsapp_contacts"
    address_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # the number sealed (whatsapp.contact_address), so that a key rotation can re-key the row
    address_sealed: Mapped[str | None] = mapped_column(Text)
    step: Mapped[str] = mapped_column(String(16), default="idle")
    kind: Mapped[str | None] = mapped_column(String(32))
    anonymous: Mapped[bool] = mapped_column(default=False)
    draft: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_inbound_at: Mapped[dt.datetime | None]
    closed_notice_for: Mapped[str | None] = mapped_column(String(40))
    # replies that went out as a template: delivered in full when the person writes again
    held: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime]


class MediaRow(Base):
    """A media file of an inbound message: stored, or pending a later download."""

    __tablename__ = "whatsapp_media"
    id: Mapped[int] = mapped_column(primary_key=True)
    wamid: Mapped[str] = mapped_column(String(200), unique=True)
    protocol: Mapped[str] = mapped_column(String(16), index=True)
    media_id: Mapped[str | None] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(16))
    mime_type: Mapped[str | None] = mapped_column(String(120))
    sha256: Mapped[str | None] = mapped_column(String(100))
    filename: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]


class ParkedStatus(Base):
    """A delivery status that arrived before (or without) its message."""

    __tablename__ = "whatsapp_statuses"
    __table_args__ = (UniqueConstraint("wamid", "status", name="uq_whatsapp_statuses"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    wamid: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[dt.datetime]


class SentRow(Base):
    """What the adapter sent per outbox key: a retry never sends twice."""

    __tablename__ = "whatsapp_sent"
    idempotency_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    wamid: Mapped[str] = mapped_column(String(200), index=True)
    protocol: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    recipient_sealed: Mapped[str | None] = mapped_column(Text)
    # a reply's text, to hold it when Meta later reports the window closed (131047)
    text: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime]


class StateRow(Base):
    """Channel-wide state shared by every worker (e.g. deliveries paused by a bad token)."""

    __tablename__ = "whatsapp_state"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[dt.datetime]
