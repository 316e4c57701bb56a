"""The identity vault: the citizen's identity sealed apart from the case text."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import msgspec

from balcao._db.models import IdentityRow
from balcao._keys import KeyRing
from balcao._types import Citizen

__all__ = [
    "Sealed",
    "address_digest",
    "address_digests",
    "new_identity",
    "pseudonym",
    "reseal",
    "unseal",
]


class Sealed(msgspec.Struct, frozen=True, kw_only=True):
    citizen: Citizen | None = None
    channel_address: str | None = None


def pseudonym(keys: KeyRing, manifestation_id: int) -> str:
    """A stable pseudonym ("Manifestante 7F3A") that reveals nothing about the person."""
    mac = hmac.new(keys.signing_key, f"pseudonym:{manifestation_id}".encode(), hashlib.sha256)
    return f"Manifestante {mac.hexdigest()[:4].upper()}"


def address_digest(keys: KeyRing, channel: str, address: str) -> str:
    return keys.digest(f"{channel}:{address}")


def address_digests(keys: KeyRing, channel: str, address: str) -> list[str]:
    return keys.digests(f"{channel}:{address}")


def reseal(keys: KeyRing, row: IdentityRow) -> bool:
    """Re-encrypt under the current key; False when it already is."""
    if row.sealed is None or not keys.needs_reencryption(row.sealed):
        return False
    row.sealed = keys.encrypt(keys.decrypt(row.sealed))
    return True


def new_identity(
    keys: KeyRing, manifestation_id: int, channel: str, citizen: Citizen | None, address: str | None
) -> dict[str, Any]:
    """The identity row of a new manifestation, sealed."""
    sealed = Sealed(citizen=citizen, channel_address=address)
    return {
        "manifestation_id": manifestation_id,
        "sealed": keys.encrypt(msgspec.json.encode(sealed)),
        "channel_address_hash": address_digest(keys, channel, address) if address else None,
        "pseudonym": pseudonym(keys, manifestation_id),
        "erased_at": None,
    }


def unseal(keys: KeyRing, row: IdentityRow | None) -> Sealed:
    if row is None or row.sealed is None:
        return Sealed()
    return msgspec.json.decode(keys.decrypt(row.sealed), type=Sealed)
