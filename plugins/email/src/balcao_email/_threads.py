"""The plugin's table read and written: Message-IDs, their case and correspondent."""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from sqlalchemy import select

from balcao import Desk
from balcao_email._models import MailRow

__all__ = ["UNNAMED", "address_hash", "by_ids", "find", "record", "talks_to"]

UNNAMED = "sha256."  # the key of a message that had no Message-ID: never put in a header


def address_hash(desk: Desk, address: str) -> str:
    """A keyed hash of an e-mail address: threads are checked without the address in clear."""
    return desk.keys.digest(f"email-address:{address.strip().lower()}")


async def record(
    desk: Desk, message_id: str, protocol: str, direction: str, address: str, channel: str
) -> None:
    values = {
        "message_id": message_id,
        "protocol": protocol,
        "direction": direction,
        "address_hash": address_hash(desk, address) if address else None,
        "channel": channel,
        "created_at": desk.now(),
    }
    async with desk.database.write() as session:
        # the dialect named, not both imported: a server keeps only its own in memory
        module = importlib.import_module(f"sqlalchemy.dialects.{desk.database.dialect}")
        await session.execute(module.insert(MailRow).values(**values).on_conflict_do_nothing())


async def find(desk: Desk, message_id: str) -> MailRow | None:
    async with desk.database.read() as session:
        return await session.get(MailRow, message_id)


async def by_ids(desk: Desk, ids: Sequence[str]) -> MailRow | None:
    """The newest known message among ``ids`` (a reply's In-Reply-To and References)."""
    if not ids:
        return None
    query = select(MailRow).where(MailRow.message_id.in_(list(ids))).order_by(MailRow.created_at)
    async with desk.database.read() as session:
        rows = list((await session.scalars(query)).all())
    return rows[-1] if rows else None


async def talks_to(desk: Desk, protocol: str, address: str) -> bool:
    """Whether ``address`` is the one this case corresponds with."""
    query = select(MailRow.message_id).where(
        MailRow.protocol == protocol, MailRow.address_hash == address_hash(desk, address)
    )
    async with desk.database.read() as session:
        return (await session.scalars(query.limit(1))).first() is not None
