"""Reading and writing booking rows; the unique slot key settles races."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from balcao import PluginDesk
from balcao_meet._models import BookingRow, Status

__all__ = ["SlotTaken", "Store"]


class SlotTaken(Exception):
    """Somebody else holds that slot (HTTP 409)."""


class Store:
    """Booking rows of one balcão."""

    def __init__(self, desk: PluginDesk) -> None:
        self.desk = desk

    async def booked_keys(self, start: dt.datetime, end: dt.datetime) -> set[str]:
        query = select(BookingRow.slot_key).where(
            BookingRow.slot_key.is_not(None),
            BookingRow.start_at >= start,
            BookingRow.start_at < end,
        )
        async with self.desk.storage("meet").read() as session:
            return {k for k in (await session.scalars(query)).all() if k}

    async def reserve(self, row: BookingRow) -> int:
        """Insert ``row`` holding its slot; SlotTaken when the slot is already held."""
        try:
            async with self.desk.storage("meet").write() as session:
                session.add(row)
                await session.flush()
                return row.id
        except IntegrityError as exc:
            raise SlotTaken(row.slot_key) from exc

    async def by_protocol(self, protocol: str) -> BookingRow | None:
        query = select(BookingRow).where(BookingRow.protocol == protocol)
        async with self.desk.storage("meet").read() as session:
            return (await session.scalars(query)).one_or_none()

    async def by_id(self, booking_id: int) -> BookingRow | None:
        async with self.desk.storage("meet").read() as session:
            return await session.get(BookingRow, booking_id)

    async def update(self, booking_id: int, change: Callable[[BookingRow], Any]) -> BookingRow:
        """Apply ``change`` to the row in one transaction; SlotTaken when it would take a
        slot that is held."""
        try:
            async with self.desk.storage("meet").write() as session:
                row = await session.get(BookingRow, booking_id, with_for_update=True)
                assert row is not None
                change(row)
                row.updated_at = self.desk.now()
                await session.flush()
                return row
        except IntegrityError as exc:
            raise SlotTaken("slot") from exc

    async def delete(self, booking_id: int) -> None:
        async with self.desk.storage("meet").write() as session:
            row = await session.get(BookingRow, booking_id)
            if row is not None:
                await session.delete(row)

    async def between(
        self, start: dt.datetime, end: dt.datetime, statuses: Collection[Status] = ()
    ) -> list[BookingRow]:
        query = (
            select(BookingRow)
            .where(BookingRow.start_at >= start, BookingRow.start_at < end)
            .order_by(BookingRow.start_at, BookingRow.id)
        )
        if statuses:
            query = query.where(BookingRow.status.in_([s.value for s in statuses]))
        async with self.desk.storage("meet").read() as session:
            return list((await session.scalars(query)).all())

    async def matching(self, *conditions: Any) -> list[BookingRow]:
        query = select(BookingRow).where(*conditions).order_by(BookingRow.start_at)
        async with self.desk.storage("meet").read() as session:
            return list((await session.scalars(query)).all())
