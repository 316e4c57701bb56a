"""The plugin's table read and written: Message-IDs, their case and correspondent."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from balcao import PluginDesk
from balcao_email._models import MailRow

__all__ = ["UNNAMED", "address_hash", "by_ids", "find", "record", "talks_to"]

UNNAMED = "sha256."  # the key of a message that had no Message-ID: never put in a header


_ADDRESS = "email.address"


def address_hash(desk: PluginDesk, address: str) -> str:
    """A keyed hash of an e-mail address: threads are checked without the address in clear."""
    return desk.sealer(_ADDRESS).digest(address.strip().lower())


def address_hashes(desk: PluginDesk, address: str) -> list[str]:
    """Every hash the address may be stored under: each key's, and the first format's."""
    text, sealer = address.strip().lower(), desk.sealer(_ADDRESS)
    return sealer.digests(text) + sealer.legacy_digests(f"email-address:{text}")


async def record(
    desk: PluginDesk, message_id: str, protocol: str, direction: str, address: str, channel: str
) -> None:
    values = {
        "message_id": message_id,
        "protocol": protocol,
        "direction": direction,
        "address_hash": address_hash(desk, address) if address else None,
        "channel": channel,
        "created_at": desk.now(),
    }
    async with desk.storage("email").write() as session:
        await desk.storage("email").insert_ignore(session, MailRow, values)


async def find(desk: PluginDesk, message_id: str) -> MailRow | None:
    async with desk.storage("email").read() as session:
        return await session.get(MailRow, message_id)


async def by_ids(desk: PluginDesk, ids: Sequence[str]) -> MailRow | None:
    """The newest known message among ``ids`` (a reply's In-Reply-To and References)."""
    if not ids:
        return None
    query = select(MailRow).where(MailRow.message_id.in_(list(ids))).order_by(MailRow.created_at)
    async with desk.storage("email").read() as session:
        rows = list((await session.scalars(query)).all())
    return rows[-1] if rows else None


async def talks_to(desk: PluginDesk, protocol: str, address: str) -> bool:
    """Whether ``address`` is the one this case corresponds with."""
    query = select(MailRow.message_id).where(
        MailRow.protocol == protocol, MailRow.address_hash.in_(address_hashes(desk, address))
    )
    async with desk.storage("email").read() as session:
        return (await session.scalars(query.limit(1))).first() is not None
