"""A manifestation closed or archived before its meeting frees the slot and removes the
meeting, so nobody waits in an empty room."""

from __future__ import annotations

from balcao import Closed, PluginDesk
from balcao_meet._bookings import ACTOR, Bookings
from balcao_meet._config import MeetConfig
from balcao_meet._models import Status
from balcao_meet._text import when_text

__all__ = ["on_closed"]


async def on_closed(event: Closed, desk: PluginDesk, config: MeetConfig) -> None:
    bookings = Bookings(desk, config)
    row = await bookings.store.by_protocol(event.protocol)
    if row is None or not Status(row.status).holds_slot or row.start_at <= desk.now():
        return
    row = await bookings.release(row, Status.CANCELLED_BY_OUVIDORIA)
    when = when_text(desk.calendar, row.start_at)
    text = f"Atendimento por vídeo de {when} desmarcado: a manifestação foi encerrada."
    await desk.note(event.protocol, text, ACTOR)
