"""The plugin's own table: one row per booking of a video attendance slot."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from balcao import Base

__all__ = ["BookingRow", "Status"]


class Status(enum.StrEnum):
    """Where a booking stands; only ``RESERVED`` and ``CONFIRMED`` hold their slot."""

    RESERVED = "reserved"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    CANCELLED_BY_OUVIDORIA = "cancelled_by_ouvidoria"
    ATTENDED = "attended"
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def holds_slot(self) -> bool:
        return self in (Status.RESERVED, Status.CONFIRMED)


_LABELS = {
    Status.RESERVED: "Reservado",
    Status.CONFIRMED: "Agendado",
    Status.CANCELLED: "Cancelado pelo cidadão",
    Status.CANCELLED_BY_OUVIDORIA: "Cancelado pela ouvidoria",
    Status.ATTENDED: "Atendido",
    Status.NO_SHOW: "Não compareceu",
}


class BookingRow(Base):
    """A booked slot. ``slot_key`` is unique and set only while the booking holds its
    slot, so two bookings can never hold the same start (on SQLite and PostgreSQL)."""

    __tablename__ = "meet_bookings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    protocol: Mapped[str | None] = mapped_column(String(16), unique=True)
    start_at: Mapped[dt.datetime] = mapped_column(index=True)
    end_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(32), index=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    event_state: Mapped[str] = mapped_column(String(16), default="none")
    meeting_url: Mapped[str] = mapped_column(String(300), default="")
    meeting_code: Mapped[str | None] = mapped_column(String(64))
    contact: Mapped[str] = mapped_column(String(16), default="none")
    reminders: Mapped[list[str]] = mapped_column(JSON, default=list)
    import_state: Mapped[str] = mapped_column(String(16), default="waiting")
    import_attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
