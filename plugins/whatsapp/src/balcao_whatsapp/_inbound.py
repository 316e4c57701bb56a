"""The inbound processor the core worker runs for each stored message or status."""

from __future__ import annotations

import logging

import msgspec

from balcao import PluginDesk
from balcao_whatsapp._config import WhatsAppConfig
from balcao_whatsapp._conversation import Conversation
from balcao_whatsapp._incoming import from_message
from balcao_whatsapp._statuses import StatusService
from balcao_whatsapp._wire import Contact, Message, Status, StoredEvent

__all__ = ["InboundProcessor"]

log = logging.getLogger("balcao.whatsapp")


class InboundProcessor:
    def __init__(
        self, config: WhatsAppConfig, conversation: Conversation, statuses: StatusService
    ) -> None:
        self.config = config
        self.conversation = conversation
        self.statuses = statuses

    async def __call__(self, body: bytes, desk: PluginDesk) -> None:
        event = msgspec.json.decode(body, type=StoredEvent)
        if self._foreign(event):
            log.warning("event for phone number %s ignored", event.phone_number_id)
            return
        if event.kind == "status":
            await self.statuses.apply(desk, msgspec.json.decode(event.item, type=Status))
            return
        message = msgspec.json.decode(event.item, type=Message)
        incoming = from_message(message, _contact(event, message), desk.now())
        await self.conversation.handle(desk, incoming)

    def _foreign(self, event: StoredEvent) -> bool:
        wanted = self.config.phone_number_id
        return bool(wanted and event.phone_number_id and event.phone_number_id != wanted)


def _contact(event: StoredEvent, message: Message) -> Contact | None:
    """The contact entry of the sender (a batch may carry several)."""
    contacts = [msgspec.json.decode(raw, type=Contact) for raw in event.contacts]
    sender = message.sender or message.from_user_id
    for contact in contacts:
        if sender is not None and sender in (contact.wa_id, contact.user_id):
            return contact
    return contacts[0] if len(contacts) == 1 else None
