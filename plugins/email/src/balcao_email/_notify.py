"""Answers to citizens of other channels (web form, Meet) also sent by e-mail, when the
citizen gave an address: the e-mail carries the timeline message, whose delivery state
then says whether it arrived."""

from __future__ import annotations

from balcao import Event, PluginDesk, Replied
from balcao_email._adapter import citizen_address, seal_address
from balcao_email._config import CHANNEL, EmailConfig

__all__ = ["CHANNEL", "copy_answer"]


async def copy_answer(event: Event, desk: PluginDesk, config: EmailConfig) -> None:
    if not isinstance(event, Replied) or not config.from_address:
        return
    if event.channel == CHANNEL or event.channel not in config.notify_channels:
        return  # an e-mail case is answered through its own channel by the core
    address = await citizen_address(desk, event.protocol)
    if address is None:
        return
    await desk.enqueue(
        CHANNEL,
        idempotency_key=f"email-copy:{event.message_id}",
        text=event.text,
        protocol=event.protocol,
        kind=event.kind,
        extra={"message_channel": event.channel, "to_sealed": seal_address(desk, address)},
        message_id=event.message_id,
    )
