"""What the staff record about a booking: attended, no-show, cancelled by the ouvidoria."""

from __future__ import annotations

import enum

from balcao import Actor, InvalidManifestation, NotFound
from balcao_meet._bookings import BookingClosed, Bookings
from balcao_meet._models import BookingRow, Status
from balcao_meet._text import when_text

__all__ = ["Outcome", "record_outcome"]


class Outcome(enum.StrEnum):
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    CANCELLED_BY_OUVIDORIA = "cancelled_by_ouvidoria"


_CLOSABLE = (Status.CONFIRMED, Status.ATTENDED, Status.NO_SHOW)


async def record_outcome(
    bookings: Bookings, protocol: str, outcome: Outcome, actor: Actor, reason: str = ""
) -> BookingRow:
    """Record ``outcome``; a cancellation frees the slot, removes the meeting and tells
    the citizen through their channel."""
    row = await bookings.store.by_protocol(protocol)
    if row is None:
        raise NotFound(f"a manifestação {protocol} não tem atendimento por vídeo agendado")
    if outcome is Outcome.CANCELLED_BY_OUVIDORIA:
        return await _cancel(bookings, row, actor, reason.strip())
    if Status(row.status) not in _CLOSABLE:
        raise BookingClosed(f"este agendamento está {Status(row.status).label.lower()}")
    row = await bookings.store.update(row.id, lambda r: setattr(r, "status", outcome.value))
    label = Status(outcome.value).label
    text = f"Atendimento por vídeo marcado como '{label}' por {actor.name}."
    await bookings.desk.note(
        protocol, text + (f" {reason.strip()}" if reason.strip() else ""), actor
    )
    return row


async def _cancel(bookings: Bookings, row: BookingRow, actor: Actor, reason: str) -> BookingRow:
    if not reason:
        raise InvalidManifestation("reason", "informe o motivo do cancelamento para o cidadão")
    if not Status(row.status).holds_slot:
        raise BookingClosed(f"este agendamento já está {Status(row.status).label.lower()}")
    protocol = row.protocol
    assert protocol is not None
    row = await bookings.release(row, Status.CANCELLED_BY_OUVIDORIA)
    when = when_text(bookings.desk.calendar, row.start_at)
    message = (
        f"A ouvidoria cancelou o atendimento por vídeo de {when}. Motivo: {reason}. "
        "Você pode agendar outro horário no balcão virtual."
    )
    await bookings.desk.reply(protocol, message, actor)
    return row
