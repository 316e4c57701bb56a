"""Delivery statuses: forward only, failures kept with their code, early ones parked."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, select

from balcao import PluginDesk
from balcao_whatsapp._config import WhatsAppConfig
from balcao_whatsapp._models import ParkedStatus, SentRow
from balcao_whatsapp._store import storage
from balcao_whatsapp._wire import Status

__all__ = ["StatusService"]

log = logging.getLogger("balcao.whatsapp")
CHANNEL = "whatsapp"
WINDOW_CLOSED = 131047
_KNOWN = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "played": "read",
    "failed": "failed",
}
_KEEP = dt.timedelta(days=7)


class StatusService:
    def __init__(self, config: WhatsAppConfig) -> None:
        self.config = config

    async def apply(self, desk: PluginDesk, status: Status) -> None:
        state = _KNOWN.get(status.status or "")
        if not status.id or state is None:
            log.info("status ignored: %s for %s", status.status, status.id)
            return
        error = status.errors[0].describe() if status.errors else None
        sent = await self._sent(desk, status.id)
        if state == "failed" and any(e.code == WINDOW_CLOSED for e in status.errors):
            await self._window_closed(desk, sent)
        if await desk.update_delivery(CHANNEL, status.id, state, error):
            return
        if sent is not None and sent.kind != "reply":
            return  # an automatic message of the conversation: not on the timeline
        async with (store := storage(desk)).write() as session:
            await store.insert_ignore(
                session,
                ParkedStatus.__table__,
                {
                    "wamid": status.id,
                    "status": state,
                    "error": error,
                    "received_at": desk.now(),
                },
            )

    async def _sent(self, desk: PluginDesk, wamid: str) -> SentRow | None:
        async with storage(desk).read() as session:
            query = select(SentRow).where(SentRow.wamid == wamid)
            return (await session.scalars(query)).first()

    async def _window_closed(self, desk: PluginDesk, sent: SentRow | None) -> None:
        """A 131047 that came back as a failed status: next time use the template."""
        if sent is None or sent.recipient_sealed is None:
            return
        from balcao_whatsapp._store import find_contact, open_address

        to = open_address(desk, sent.recipient_sealed, sent.idempotency_key)
        async with storage(desk).write() as session:
            contact = await find_contact(session, desk, to, rekey=True)
            if contact is not None:
                contact.last_inbound_at = None
        if sent.kind == "reply" and self.config.reply_template and sent.protocol:
            await desk.enqueue(
                CHANNEL,
                idempotency_key=f"template:{sent.wamid}",
                text=sent.text or "",
                protocol=sent.protocol,
                kind="template",
                extra={"to": to},
            )

    async def apply_parked(self, desk: PluginDesk) -> int:
        """The periodic job: statuses whose message has appeared since are applied."""
        async with storage(desk).read() as session:
            rows = list(
                (
                    await session.scalars(select(ParkedStatus).order_by(ParkedStatus.id).limit(200))
                ).all()
            )
        done = [r.id for r in rows if await self._apply_one(desk, r)]
        async with storage(desk).write() as session:
            if done:
                await session.execute(delete(ParkedStatus).where(ParkedStatus.id.in_(done)))
            await session.execute(
                delete(ParkedStatus).where(ParkedStatus.received_at < desk.now() - _KEEP)
            )
        return len(done)

    async def _apply_one(self, desk: PluginDesk, row: ParkedStatus) -> bool:
        return await desk.update_delivery(CHANNEL, row.wamid, row.status, row.error)
