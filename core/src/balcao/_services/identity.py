"""The identity vault: the citizen's identity sealed apart from the case text."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import msgspec

from balcao._db.models import IdentityRow
from balcao._keys import KeyRing
from balcao._sealing import LookupColumn, SealedColumn, Sealer
from balcao._types import Citizen

__all__ = [
    "ADDRESS",
    "IDENTITY",
    "Sealed",
    "address_digest",
    "address_digests",
    "new_identity",
    "pseudonym",
    "unseal",
]


class Sealed(msgspec.Struct, frozen=True, kw_only=True):
    citizen: Citizen | None = None
    channel_address: str | None = None


def _address_of(plaintext: bytes) -> str | None:
    return msgspec.json.decode(plaintext, type=Sealed).channel_address


IDENTITY = SealedColumn("core.identity", "identities", "sealed", ("manifestation_id",))
ADDRESS = LookupColumn(
    "core.channel_address", "identities", "channel_address_hash", "core.identity", _address_of
)


def pseudonym(keys: KeyRing, manifestation_id: int) -> str:
    """A stable pseudonym ("Manifestante 7F3A") that reveals nothing about the person."""
    mac = hmac.new(keys.signing_key, f"pseudonym:{manifestation_id}".encode(), hashlib.sha256)
    return f"Manifestante {mac.hexdigest()[:4].upper()}"


def address_digest(keys: KeyRing, address: str) -> str:
    """The lookup hash of a channel address (the channel is a column of the case)."""
    return Sealer(keys, ADDRESS.purpose, lookup=ADDRESS).digest(address)


def address_digests(keys: KeyRing, channel: str, address: str) -> list[str]:
    """Every hash a stored address may have: each key's, current first, then the first
    format's (which hashed ``channel:address`` with the shared key)."""
    current = Sealer(keys, ADDRESS.purpose, lookup=ADDRESS).digests(address)
    return current + keys.digests(f"{channel}:{address}")


def new_identity(
    keys: KeyRing, manifestation_id: int, channel: str, citizen: Citizen | None, address: str | None
) -> dict[str, Any]:
    """The identity row of a new manifestation, sealed."""
    sealed = Sealed(citizen=citizen, channel_address=address)
    return {
        "manifestation_id": manifestation_id,
        "sealed": _sealer(keys).seal(msgspec.json.encode(sealed), manifestation_id),
        "channel_address_hash": address_digest(keys, address) if address else None,
        "pseudonym": pseudonym(keys, manifestation_id),
        "erased_at": None,
    }


def unseal(keys: KeyRing, row: IdentityRow | None) -> Sealed:
    if row is None or row.sealed is None:
        return Sealed()
    plaintext = _sealer(keys).open(row.sealed, row.manifestation_id)
    return msgspec.json.decode(plaintext, type=Sealed)


def _sealer(keys: KeyRing) -> Sealer:
    return Sealer(keys, IDENTITY.purpose, IDENTITY)
