"""Notices the ouvidoria sends on its own: a case it concluded."""

from __future__ import annotations

from balcao import Closed, NotFound, PluginDesk, State
from balcao_whatsapp._config import WhatsAppConfig
from balcao_whatsapp._texts import Catalogue

__all__ = ["conclusion_notice"]

CHANNEL = "whatsapp"


async def conclusion_notice(event: Closed, desk: PluginDesk, config: WhatsAppConfig) -> None:
    """Tell the citizen their case was concluded (the adapter adds the heading, so they
    know which case); anonymous cases keep no number and get nothing."""
    if event.state != State.CLOSED.value:
        return
    try:
        case = await desk.get(event.protocol)
    except NotFound:
        return
    if case.channel != CHANNEL or await desk.recipient(event.protocol) is None:
        return
    text = Catalogue(config.texts).say("concluded", falabr_url=desk.settings.falabr_url)
    await desk.enqueue(
        CHANNEL,
        idempotency_key=f"concluded:{event.protocol}:{event.occurred_at.isoformat()}",
        text=text,
        protocol=event.protocol,
        kind="notification",
    )
