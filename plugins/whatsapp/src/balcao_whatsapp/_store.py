"""Small database functions shared by the plugin's modules, and its sealed columns."""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from balcao import Desk, LookupColumn, SealedColumn
from balcao_whatsapp._models import ContactRow

__all__ = [
    "SEALED_COLUMNS",
    "address_hash",
    "find_contact",
    "insert_ignore",
    "message_digest",
    "open_address",
    "seal",
    "seal_recipient",
    "unseal",
]

# A contact's number, sealed so that reseal can re-key the contact's lookup hash.
CONTACT_ADDRESS = SealedColumn(
    "whatsapp.contact_address", "whatsapp_contacts", "address_sealed", ("address_hash",)
)
CONTACT = LookupColumn(
    "whatsapp.contact",
    "whatsapp_contacts",
    "address_hash",
    source=CONTACT_ADDRESS.purpose,
    legacy_prefix="whatsapp:",
)
SENT_RECIPIENT = SealedColumn(
    "whatsapp.sent_recipient", "whatsapp_sent", "recipient_sealed", ("idempotency_key",)
)
SEALED_COLUMNS = (CONTACT_ADDRESS, CONTACT, SENT_RECIPIENT)


async def insert_ignore(session: AsyncSession, table: Any, values: dict[str, Any]) -> bool:
    """``INSERT ... ON CONFLICT DO NOTHING``; True when a row was inserted."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    # the dialect named, not both imported: a server keeps only its own in memory
    module: Any = importlib.import_module(f"sqlalchemy.dialects.{dialect}")
    result = await session.execute(module.insert(table).values(**values).on_conflict_do_nothing())
    return bool(getattr(result, "rowcount", 0))


def address_hash(desk: Desk, address: str) -> str:
    """A keyed hash of a WhatsApp address (current key): state is kept without the number."""
    return desk.sealer(CONTACT.purpose).digest(address)


def seal_address(desk: Desk, address: str, key: str) -> str:
    return desk.sealer(CONTACT_ADDRESS.purpose).seal(address, key)


async def find_contact(
    session: AsyncSession, desk: Desk, address: str, *, rekey: bool = False
) -> ContactRow | None:
    """The contact of ``address`` under any accepted key; with ``rekey`` (in a write
    session) a contact found under a previous key moves to the current one."""
    digests = desk.sealer(CONTACT.purpose).digests(address)
    for digest in digests:
        row = await session.get(ContactRow, digest)
        if row is not None:
            break
    else:
        return None
    if rekey and (row.address_hash != digests[0] or row.address_sealed is None):
        row.address_hash = digests[0]
        row.address_sealed = seal_address(desk, address, digests[0])
        await session.flush()
    return row


def seal_recipient(desk: Desk, address: str, idempotency_key: str) -> str:
    return desk.sealer(SENT_RECIPIENT.purpose).seal(address, idempotency_key)


def open_address(desk: Desk, value: str, idempotency_key: str | None = None) -> str:
    """A recipient as stored: sealed in ``whatsapp_sent`` (bound to its key), or in an
    outbox payload (plain there, since the core seals the whole payload; an older row may
    still hold a token of the first format, which carries a ``:``)."""
    if idempotency_key is not None or ":" in value:
        return desk.sealer(SENT_RECIPIENT.purpose).open_text(value, idempotency_key or "")
    return value


def seal(desk: Desk, value: str) -> str:
    """A value kept for a while in a conversation's draft or a queued message (the sender's
    number, the name it gave): sealed, never in clear. Short-lived, so it is not resealed:
    a draft left open across a key's removal starts over."""
    return desk.sealer(CONTACT_ADDRESS.purpose).seal(value, _TRANSIENT)


def unseal(desk: Desk, token: str) -> str | None:
    """What :func:`seal` sealed; None when no accepted key opens it any more."""
    try:
        return desk.sealer(CONTACT_ADDRESS.purpose).open_text(token, _TRANSIENT)
    except Exception:  # a key removed since: the draft starts over
        return None


def message_digest(desk: Desk, wamid: str) -> str:
    """A keyed digest of a WhatsApp message id (which carries the sender's number)."""
    return desk.sealer(CONTACT.purpose).digest(f"message:{wamid}")


_TRANSIENT = "transient"
