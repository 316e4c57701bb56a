"""Replies to a video-attendance manifestation reach the citizen on the channel they gave
(their WhatsApp number), handed over to that channel's own delivery."""

from __future__ import annotations

from dataclasses import dataclass

from balcao import DeliveryFailed, DeliveryReceipt, OutboundMessage, PluginDesk
from balcao_meet._config import MeetConfig

__all__ = ["RelayAdapter"]


@dataclass
class RelayAdapter:
    """The ``meet`` channel's adapter: queues the message on the citizen's channel once
    (same idempotency key on a retry) or says why it cannot."""

    config: MeetConfig
    desk: PluginDesk

    async def send(self, message: OutboundMessage) -> DeliveryReceipt:
        channel = self.config.reminder_channel
        if not message.recipient or "@" in message.recipient:
            raise DeliveryFailed(
                "o cidadão deu só e-mail: a mensagem fica disponível no acompanhamento",
                retryable=False,
            )
        if channel not in self.desk.channels:
            raise DeliveryFailed(f"o canal '{channel}' não está instalado", retryable=False)
        await self.desk.enqueue(
            channel,
            idempotency_key=f"meet-relay:{message.idempotency_key}",
            text=message.text,
            protocol=message.protocol,
            kind=message.kind,
            extra=message.extra,
        )
        return DeliveryReceipt(external_id=f"{channel}:{message.idempotency_key}")
