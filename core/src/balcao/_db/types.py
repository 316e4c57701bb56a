"""Column types shared by the core's tables and plugins' tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

__all__ = ["Base", "UTCDateTime", "table_of"]


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC datetime on every database (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        """Store an aware datetime in UTC; a naive one is refused (``ValueError``)."""
        moment = _utc(value)
        if moment is None or dialect.name != "sqlite":
            return moment
        return moment.replace(tzinfo=None)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """On SQLite, the text SQLAlchemy stores ("2026-03-01 12:30:05.000000"), written
        directly: through the decorator and SQLAlchemy's formatter a value took 5 µs (two
        per inbound event; eight events' values were most of their insert's CPU)."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        return _sqlite_text

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Read back an aware datetime in UTC (SQLite returns naive ones)."""
        if value is None:
            return None
        moment: dt.datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTCDateTime column")
    return value.astimezone(dt.UTC)


def _sqlite_text(value: dt.datetime | None) -> str | None:
    moment = _utc(value)
    if moment is None:
        return None
    # "2026-03-01 12:30:05.000000+00:00" less its offset (the year always has four digits)
    return moment.isoformat(" ", "microseconds")[:26]


class Base(DeclarativeBase):
    """Declarative base for the core's tables; plugins put theirs on it too (prefix the names)."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


def table_of(model: type[Base]) -> Table:
    """The ``Table`` of a mapped class, for Core statements built once and reused."""
    table: Table = model.__table__  # type: ignore[assignment]
    return table
