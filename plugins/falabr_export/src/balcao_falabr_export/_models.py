"""The plugin's own table: one Fala.BR handover per manifestation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from balcao import Base, PluginDesk, PluginStorage, SealedColumn

__all__ = ["RegistrationRow", "storage"]


def storage(desk: PluginDesk) -> PluginStorage:
    """The plugin's own tables (named ``falabr_...``)."""
    return desk.storage("falabr_export", prefix="falabr_")


class RegistrationRow(Base):
    """A handover to Fala.BR, recorded before anything is sent (so a retry can look first)."""

    __tablename__ = "falabr_registrations"
    __table_args__ = (
        Index("ix_falabr_registrations_due", "state", "next_attempt_at"),
        Index("ix_falabr_registrations_poll", "next_poll_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    protocol: Mapped[str] = mapped_column(String(16), unique=True)
    mode: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    first_attempt_at: Mapped[dt.datetime | None]
    next_attempt_at: Mapped[dt.datetime | None]
    lease_until: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    nup: Mapped[str | None] = mapped_column(String(17), index=True)
    falabr_id: Mapped[int | None]
    access_code_sealed: Mapped[str | None] = mapped_column(Text)
    situation: Mapped[str | None] = mapped_column(String(120))
    deadline: Mapped[dt.date | None]
    polled_at: Mapped[dt.datetime | None]
    next_poll_at: Mapped[dt.datetime | None]
    poll_failures: Mapped[int] = mapped_column(default=0)
    requested_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


# The citizen's Fala.BR access code, sealed and bound to the registration's protocol.
ACCESS_CODE = SealedColumn(
    "falabr_export.access_code", "falabr_registrations", "access_code_sealed", ("protocol",)
)
