"""Reminders the day before and 15 minutes before, through the citizen's own channel,
each sent once (idempotency key) and noted on the manifestation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from balcao_meet._bookings import ACTOR, Bookings
from balcao_meet._models import BookingRow, Status
from balcao_meet._notify import tell_citizen
from balcao_meet._text import hour_text, when_text

__all__ = ["REMINDERS", "send_reminders"]


@dataclass(frozen=True, slots=True)
class Reminder:
    name: str
    label: str
    before: dt.timedelta


REMINDERS = (
    Reminder("day", "véspera", dt.timedelta(hours=24)),
    Reminder("soon", "15 minutos antes", dt.timedelta(minutes=15)),
)


async def send_reminders(bookings: Bookings) -> int:
    """Queue every reminder that is due; returns how many went to a channel."""
    now = bookings.desk.now()
    rows = await bookings.store.between(now, now + dt.timedelta(hours=25), [Status.CONFIRMED])
    sent = 0
    for row in rows:
        for reminder in _due(row, now):
            sent += await _send(bookings, row, reminder)
    return sent


def _due(row: BookingRow, now: dt.datetime) -> list[Reminder]:
    """Reminders whose moment came; the day-before one only when the booking was made
    before it, and not once the 15-minute one is due."""
    due, done = [], {k.partition("#")[0] for k in row.reminders}
    for reminder in REMINDERS:
        moment = row.start_at - reminder.before
        if _key(row, reminder) in done or now < moment:
            continue
        if reminder.name == "day" and (
            row.created_at > moment or now >= row.start_at - REMINDERS[1].before
        ):
            continue
        due.append(reminder)
    return due


def _key(row: BookingRow, reminder: Reminder) -> str:
    # The slot is part of the key so a moved booking is reminded of its new time.
    return f"{reminder.name}@{row.slot_key or row.start_at.isoformat()}"


async def _send(bookings: Bookings, row: BookingRow, reminder: Reminder) -> bool:
    assert row.protocol is not None
    key = _key(row, reminder)
    went = await tell_citizen(
        bookings.desk,
        bookings.config,
        row,
        _text(bookings, row),
        key=key,
        kind="reminder",
        extra=_template(bookings, row),
    )
    channel = bookings.config.reminder_channel
    sent = f"Lembrete ({reminder.label}) enviado por {channel}."
    note = sent if went else _not_sent(bookings, row, reminder)
    # A reminder that could not go is kept as "<key>#not-sent", so it is not tried again.
    recorded = key if went else f"{key}#not-sent"
    await bookings.store.update(row.id, lambda r: setattr(r, "reminders", [*r.reminders, recorded]))
    await bookings.desk.note(row.protocol, note, ACTOR)
    return went


def _not_sent(bookings: Bookings, row: BookingRow, reminder: Reminder) -> str:
    if row.contact != "whatsapp":
        invite = " (o convite por e-mail foi enviado pelo Google Agenda)" if bookings.google else ""
        return f"Lembrete ({reminder.label}) não enviado: o cidadão deu só e-mail{invite}."
    return (
        f"Lembrete ({reminder.label}) não enviado: o canal "
        f"'{bookings.config.reminder_channel}' não está instalado."
    )


def _text(bookings: Bookings, row: BookingRow) -> str:
    when = when_text(bookings.desk.calendar, row.start_at)
    link = row.meeting_url or "o link está no acompanhamento da sua manifestação"
    return (
        f"Lembrete da ouvidoria: seu atendimento por vídeo (protocolo {row.protocol}) é "
        f"{when}. Entre pelo link: {link}"
    )


def _template(bookings: Bookings, row: BookingRow) -> dict[str, object]:
    """For channels that need a pre-approved template outside the 24-hour window."""
    local = bookings.desk.calendar.local(row.start_at)
    return {
        "template": bookings.config.reminder_template,
        "language": "pt_BR",
        "parameters": [
            row.protocol,
            f"{local:%d/%m/%Y}",
            hour_text(bookings.desk.calendar, row.start_at),
            row.meeting_url,
        ],
    }
