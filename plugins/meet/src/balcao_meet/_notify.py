"""Messages to the citizen on the channel they gave (their WhatsApp), each sent once."""

from __future__ import annotations

from balcao import PluginDesk
from balcao_meet._config import MeetConfig
from balcao_meet._models import BookingRow

__all__ = ["tell_citizen"]


async def tell_citizen(
    desk: PluginDesk,
    config: MeetConfig,
    row: BookingRow,
    text: str,
    *,
    key: str,
    kind: str = "notification",
    extra: dict[str, object] | None = None,
) -> bool:
    """Queue ``text`` for the citizen of ``row``; False when they gave no WhatsApp or the
    channel is not installed. ``key`` makes a repeated call send nothing new."""
    channel = config.reminder_channel
    if row.contact != "whatsapp" or channel not in desk.channels or row.protocol is None:
        return False
    await desk.enqueue(
        channel,
        idempotency_key=f"meet:{row.id}:{key}",
        text=text,
        protocol=row.protocol,
        kind=kind,
        extra=dict(extra or {}),
    )
    return True
