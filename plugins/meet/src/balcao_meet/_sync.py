"""Brings the Calendar in line with the bookings after a Google failure: creates events
that could not be created, finishes moves and deletions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from balcao_meet._bookings import ACTOR, Bookings
from balcao_meet._google import GoogleError
from balcao_meet._models import BookingRow, Status
from balcao_meet._text import when_text

__all__ = ["sync_events"]

_STALE = dt.timedelta(minutes=10)


async def sync_events(bookings: Bookings) -> int:
    """One pass over the bookings whose event is not where it should be."""
    await _settle_reservations(bookings)
    if bookings.google is None:
        return 0
    now = bookings.desk.now()
    rows = await bookings.store.matching(
        BookingRow.event_state.in_(["retry", "pending", "move_pending", "delete_pending"]),
        BookingRow.end_at > now,
    )
    for row in rows:
        await _sync_one(bookings, row)
    return len(rows)


async def _sync_one(bookings: Bookings, row: BookingRow) -> None:
    try:
        if not Status(row.status).holds_slot:
            await bookings.remove_event(row)
        elif row.event_state == "move_pending":
            await _move(bookings, row)
        else:
            await _create(bookings, row)
    except GoogleError:
        return  # still failing: the next pass tries again


async def _move(bookings: Bookings, row: BookingRow) -> None:
    assert bookings.google is not None
    zone = str(bookings.desk.calendar.timezone.key)
    await bookings.google.calendar.move(row.event_id, row.start_at, row.end_at, zone)
    await bookings.store.update(row.id, lambda r: setattr(r, "event_state", "created"))


async def _create(bookings: Bookings, row: BookingRow) -> None:
    """Insert again with the same event id: a 409 reads the earlier event back."""
    assert bookings.google is not None
    assert row.protocol is not None
    citizen = await bookings.desk.reveal_identity(
        row.protocol, ACTOR, "convite do atendimento por vídeo", action="meet_invite"
    )
    email = citizen.email if citizen else None
    meeting = await bookings.google.calendar.insert(bookings.draft(row, row.protocol, email))
    if not meeting.url:
        return
    changed = meeting.url != row.meeting_url

    def created(target: BookingRow) -> None:
        target.meeting_url, target.meeting_code = meeting.url, meeting.code
        target.event_state = "created"

    await bookings.store.update(row.id, created)
    if changed:
        when = when_text(bookings.desk.calendar, row.start_at)
        text = f"O link do seu atendimento por vídeo de {when} é: {meeting.url}"
        await bookings.desk.reply(row.protocol, text, ACTOR)


async def _settle_reservations(bookings: Bookings) -> None:
    """A reservation left over by an interrupted booking: without a manifestation it is
    dropped (the slot is free again); with one it is confirmed and its meeting retried."""
    stale = bookings.desk.now() - _STALE
    rows = await bookings.store.matching(
        BookingRow.status == Status.RESERVED.value, BookingRow.created_at < stale
    )
    for row in rows:
        if row.protocol is None:
            await bookings.store.delete(row.id)
            continue
        await bookings.store.update(row.id, _confirm_later(bookings))


def _confirm_later(bookings: Bookings) -> Callable[[BookingRow], None]:
    def confirm(row: BookingRow) -> None:
        row.status = Status.CONFIRMED.value
        row.meeting_url = row.meeting_url or bookings.config.fallback_link
        row.event_state = "retry" if bookings.google else "fallback"

    return confirm
