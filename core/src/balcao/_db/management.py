"""Tables of what the ouvidor manages in the browser: routing rule versions and the
session and lockout limits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from balcao._db.types import Base

__all__ = ["RuleVersionRow", "StaffSettingRow"]


class RuleVersionRow(Base):
    """One saved version of the routing rules kept in the database; the newest is in force.
    Append-only: restoring an old version saves its text as a new version."""

    __tablename__ = "routing_rule_versions"
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(String(200), default="")
    restored_from: Mapped[int | None]
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]


class StaffSettingRow(Base):
    """A limit changed in the browser (session lifetime, idle timeout, lockout), overriding
    the built-in default on every instance."""

    __tablename__ = "staff_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int]
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime]
