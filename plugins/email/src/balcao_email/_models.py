"""The plugin's own table: which Message-IDs belong to which manifestation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from balcao import Base

__all__ = ["MailRow"]


class MailRow(Base):
    """One message in or out. Threads replies to their case; tells which address a case
    talks to (a keyed hash, never the address in clear); finds the delivery a bounce is about."""

    __tablename__ = "email_messages"
    message_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    protocol: Mapped[str] = mapped_column(String(16), index=True)
    direction: Mapped[str] = mapped_column(String(8))
    address_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime]
