"""The outbox: replies and notifications queued for the channels, and their delivery states."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import (
    ManifestationRow,
    MessageRow,
    OutboxRow,
)
from balcao._delivery.wake import announce
from balcao._services.desk.base import DeskCore
from balcao._services.reseal import sealed_value, stored_plaintext
from balcao._services.sealed import INBOUND, OUTBOX
from balcao._services.upsert import insert_ignore
from balcao._specs import ChannelAdapter
from balcao._types import (
    Actor,
)

if TYPE_CHECKING:
    from balcao._facade import PluginDesk

__all__ = ["OutboxDesk"]

_DELIVERY_ORDER = {"pending": 0, "sent": 1, "delivered": 2, "read": 3}


class OutboxDesk(DeskCore):
    """Outbound deliveries through the channels' adapters."""

    async def _outbound(
        self, session: AsyncSession, row: ManifestationRow, text: str, actor: Actor
    ) -> MessageRow:
        deliverable = self._has_adapter(row.channel)
        message = MessageRow(
            manifestation_id=row.id,
            direction="outbound",
            channel=row.channel,
            text=text,
            author_id=actor.user_id,
            created_at=self.now(),
            extra={"author": actor.name},
            delivery_state="pending" if deliverable else "undeliverable",
            delivery_error=None if deliverable else "canal sem envio: disponível no acompanhamento",
        )
        session.add(message)
        await session.flush()
        if deliverable:
            session.add(
                OutboxRow(
                    channel=row.channel,
                    ordering_key=row.protocol,
                    idempotency_key=f"message:{message.id}",
                    message_id=message.id,
                    payload=self._sealed_payload(
                        f"message:{message.id}",
                        {"protocol": row.protocol, "text": text, "kind": "reply"},
                    ),
                    next_attempt_at=self.now(),
                    created_at=self.now(),
                )
            )
            await announce(session, "outbox")
        return message

    def _has_adapter(self, channel: str) -> bool:
        registered = self.channels.get(channel)
        return registered is not None and registered.spec.adapter is not None

    def adapter(self, channel: str) -> ChannelAdapter | None:
        """The delivery adapter of ``channel`` (built once), or None."""
        if channel not in self._adapters:
            registered = self.channels.get(channel)
            if registered is None or registered.spec.adapter is None:
                return None
            self._adapters[channel] = registered.spec.adapter(
                registered.config, cast("PluginDesk", self)
            )
        return self._adapters[channel]

    async def enqueue(
        self,
        channel: str,
        *,
        idempotency_key: str,
        text: str,
        protocol: str | None = None,
        kind: str = "notification",
        extra: dict[str, Any] | None = None,
        message_id: int | None = None,
        ordering_key: str | None = None,
    ) -> bool:
        """Queue a delivery (e.g. a reminder) on ``channel``; False when the key exists.
        With ``message_id`` the delivery carries that timeline message, whose delivery
        state then follows this one (e.g. a web-form answer also sent by e-mail).
        Deliveries with the same ``ordering_key`` (by default the protocol: one citizen's
        messages about one case) are sent one at a time, in the order queued."""
        async with self.database.write() as session:
            created = await insert_ignore(
                session,
                OutboxRow,
                {
                    "channel": channel,
                    "ordering_key": ordering_key or protocol,
                    "idempotency_key": idempotency_key,
                    "payload": self._sealed_payload(
                        idempotency_key,
                        {"protocol": protocol, "text": text, "kind": kind, "extra": extra or {}},
                    ),
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": self.now(),
                    "created_at": self.now(),
                    "message_id": message_id,
                },
                returning=OutboxRow.id,
            )
            await announce(session, "outbox")
        return created is not None

    def _sealed_payload(self, idempotency_key: str, payload: dict[str, Any]) -> dict[str, Any]:
        plaintext = msgspec.json.encode(payload)
        sealed: dict[str, Any] = sealed_value(self.seals, OUTBOX, plaintext, idempotency_key)
        return sealed

    def outbox_payload(self, row: OutboxRow) -> dict[str, Any]:
        """An outbox row's payload, opened (empty once purged)."""
        plaintext = stored_plaintext(self.seals, OUTBOX, row.payload, row.idempotency_key)
        return {} if plaintext is None else dict(msgspec.json.decode(plaintext))

    def inbound_body(self, channel: str, external_id: str, body: bytes) -> bytes:
        """A stored inbound event's body, opened (empty once purged)."""
        return stored_plaintext(self.seals, INBOUND, body, (channel, external_id)) or b""

    async def update_delivery(
        self, channel: str, external_id: str, state: str, error: str | None = None
    ) -> bool:
        """A channel's delivery status; statuses only move forward, a failure is kept with
        its error. False when no message has that id (the caller may keep the status)."""
        async with self.database.write() as session:
            query = select(MessageRow).where(
                MessageRow.channel == channel, MessageRow.external_id == external_id
            )
            # statuses of one message may be processed at once by several workers: the row
            # lock makes "only forward" hold (on SQLite the write transaction is exclusive)
            message = (await session.scalars(query.with_for_update())).one_or_none()
            if message is None:
                return False
            _advance(message, state, error)
        return True


def _advance(message: MessageRow, state: str, error: str | None) -> None:
    if state == "failed":
        message.delivery_state, message.delivery_error = "failed", error
        return
    current = _DELIVERY_ORDER.get(message.delivery_state or "pending", 0)
    if message.delivery_state != "failed" and _DELIVERY_ORDER.get(state, -1) > current:
        message.delivery_state = state
