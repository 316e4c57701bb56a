"""LGPD anonymisation of what channels left behind: raw inbound events and queued payloads."""

from __future__ import annotations

from collections.abc import Collection

import msgspec
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import InboundEvent, MessageRow, OutboxRow
from balcao._sealing import SealRegistry
from balcao._services.reseal import stored_plaintext
from balcao._services.sealed import OUTBOX

__all__ = ["erase_channel_traces"]


async def erase_channel_traces(
    session: AsyncSession,
    seals: SealRegistry,
    case_ids: Collection[int],
    protocols: Collection[str],
) -> None:
    """Empty the inbound events that carried the cases' messages and the outbox payloads
    still held for them (the rows stay: they deduplicate and count)."""
    await _inbound(session, case_ids)
    await _outbox(session, seals, case_ids, protocols)


async def _inbound(session: AsyncSession, case_ids: Collection[int]) -> None:
    query = select(MessageRow.channel, MessageRow.external_id).where(
        MessageRow.manifestation_id.in_(case_ids), MessageRow.external_id.isnot(None)
    )
    found = [(c, e) for c, e in (await session.execute(query)).all() if e is not None]
    for channel, external_id in found:
        # a channel may prefix its event key (e.g. "message:<id>")
        match = or_(
            InboundEvent.external_id == external_id,
            InboundEvent.external_id.endswith(":" + external_id, autoescape=True),
        )
        await session.execute(
            update(InboundEvent).where(InboundEvent.channel == channel, match).values(body=b"")
        )


async def _outbox(
    session: AsyncSession,
    seals: SealRegistry,
    case_ids: Collection[int],
    protocols: Collection[str],
) -> None:
    messages = select(MessageRow.id).where(MessageRow.manifestation_id.in_(case_ids))
    for row in await session.scalars(select(OutboxRow).where(OutboxRow.state != "delivered")):
        if row.message_id is not None and row.message_id in set(await session.scalars(messages)):
            row.payload = {}
            continue
        plaintext = stored_plaintext(seals, OUTBOX, row.payload, row.idempotency_key)
        if plaintext and msgspec.json.decode(plaintext).get("protocol") in protocols:
            row.payload = {}
