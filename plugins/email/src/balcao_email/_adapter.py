"""The delivery adapter of the ``email`` channel: answers, requests for complementação,
acknowledgements, and copies of answers to citizens of other channels."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from balcao import Actor, DeliveryFailed, DeliveryReceipt, OutboundMessage, PluginDesk
from balcao_email._compose import Envelope, compose, message_id_for
from balcao_email._config import EmailConfig
from balcao_email._models import MailRow
from balcao_email._smtp import submit
from balcao_email._threads import UNNAMED, find, record

__all__ = ["EmailAdapter", "citizen_address", "seal_address"]


_IN_TRANSIT = "email.outbound_address"


def seal_address(desk: PluginDesk, address: str) -> str:
    """An address put in an outbox row: sealed for this purpose, never in clear."""
    return desk.sealer(_IN_TRANSIT).seal_detached(address)


@dataclass
class EmailAdapter:
    config: EmailConfig
    desk: PluginDesk

    async def send(self, message: OutboundMessage) -> DeliveryReceipt:
        message_id = message_id_for(message.idempotency_key, self.config)
        if await find(self.desk, message_id) is not None:
            return DeliveryReceipt(external_id=message_id)  # went out before a crash
        recipient = self._recipient(message)
        if not recipient:
            raise DeliveryFailed("o cidadão não informou endereço de e-mail", retryable=False)
        envelope = await self._envelope(message.protocol, recipient, message_id)
        mail = compose(self.desk, self.config, message, envelope)
        await submit(self.config, mail, recipient)
        if message.protocol:
            channel = str(message.extra.get("message_channel", "email"))
            await record(self.desk, message_id, message.protocol, "out", recipient, channel)
        return DeliveryReceipt(external_id=message_id)

    def _recipient(self, message: OutboundMessage) -> str | None:
        sealed = message.extra.get("to_sealed")
        if isinstance(sealed, str):
            return self.desk.sealer(_IN_TRANSIT).open_detached(sealed).decode()
        return message.recipient

    async def _envelope(self, protocol: str | None, recipient: str, message_id: str) -> Envelope:
        """Threaded after every Message-ID of the case, answering the citizen's last one."""
        if not protocol:
            return Envelope(recipient, message_id)
        query = select(MailRow).where(MailRow.protocol == protocol).order_by(MailRow.created_at)
        async with self.desk.storage("email").read() as session:
            rows = [r for r in await session.scalars(query) if not r.message_id.startswith(UNNAMED)]
        theirs = [r.message_id for r in rows if r.direction == "in"]
        answered = theirs[-1] if theirs else (rows[-1].message_id if rows else None)
        return Envelope(recipient, message_id, [r.message_id for r in rows], answered)


async def citizen_address(
    desk: PluginDesk, protocol: str, reason: str = "envio da resposta por e-mail"
) -> str | None:
    """The e-mail the citizen gave; reading it is written to the audit log with ``reason``."""
    citizen = await desk.reveal_identity(
        protocol, Actor.plugin("email"), reason, action="email_delivery"
    )
    return citizen.email if citizen is not None and citizen.email else None
