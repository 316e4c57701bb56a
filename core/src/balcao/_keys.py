"""The secret key and the keys derived from it: identity encryption, hashing, signing."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "MIN_SECRET_LENGTH",
    "KeyRing",
    "UnreadableSecret",
    "aead_open",
    "aead_seal",
    "load_or_create_secret",
]

MIN_SECRET_LENGTH = 32
_NONCE = 12


class UnreadableSecret(ValueError):
    """Ciphertext that no configured key opens."""


def _derive(secret: str, purpose: str) -> bytes:
    """HKDF-SHA256 (RFC 5869) without salt, 32 bytes: one extract and one expand block.
    Written on the standard library so that deriving the keys at start-up does not load
    the cryptography library (~8 MB resident), needed only to seal and open."""
    prk = hmac.digest(bytes(32), secret.encode(), "sha256")
    return hmac.digest(prk, purpose.encode() + b"\x01", "sha256")


@functools.lru_cache(maxsize=64)
def _cipher(key: bytes) -> AESGCM:
    """One cipher object per key: building it (the key schedule) was a tenth of storing a
    webhook. The keys are few (one per purpose and key id) and already held in memory."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def aead_seal(key: bytes, nonce: bytes, data: bytes, aad: bytes | None) -> bytes:
    """AES-GCM encryption of ``data`` under ``key``, authenticating ``aad`` too."""
    return _cipher(key).encrypt(nonce, data, aad)


def aead_open(key: bytes, nonce: bytes, sealed: bytes, aad: bytes | None, problem: str) -> bytes:
    """The plaintext of :func:`aead_seal`'s output; ``UnreadableSecret(problem)`` when the
    key, the nonce or ``aad`` do not match."""
    from cryptography.exceptions import InvalidTag

    try:
        return _cipher(key).decrypt(nonce, sealed, aad)
    except InvalidTag as exc:
        raise UnreadableSecret(problem) from exc


@dataclass(frozen=True)
class _Keys:
    key_id: str
    encryption: bytes
    hashing: bytes
    signing: bytes


def _keys(secret: str) -> _Keys:
    key_id = hashlib.sha256(_derive(secret, "balcao:key-id")).hexdigest()[:8]
    return _Keys(
        key_id,
        _derive(secret, "balcao:vault"),
        _derive(secret, "balcao:hash"),
        _derive(secret, "balcao:sign"),
    )


class KeyRing:
    """The current key plus previous ones still accepted for reading (rotation).

    ``encrypt``/``decrypt`` are the first format (one key, no associated data), kept to read
    data written before per-purpose sealing (``balcao._sealing``); new data never uses them."""

    def __init__(self, secret: str, previous: tuple[str, ...] = ()) -> None:
        pairs = [(_keys(s), s) for s in (secret, *previous)]
        self._current = pairs[0][0]
        self._all = {k.key_id: k for k, _s in pairs}
        self._secrets = {k.key_id: s for k, s in reversed(pairs)}
        self._derived: dict[tuple[str, str], bytes] = {}

    @property
    def current_id(self) -> str:
        return self._current.key_id

    @property
    def key_ids(self) -> list[str]:
        """Every accepted key's id, the current one first."""
        return list(self._all)

    def derived(self, key_id: str, label: str) -> bytes:
        """The key for ``label`` (a purpose) under the secret ``key_id``, derived once."""
        found = self._derived.get((key_id, label))
        if found is None:
            secret = self._secrets.get(key_id)
            if secret is None:
                raise UnreadableSecret(f"dado cifrado com uma chave desconhecida ({key_id})")
            found = self._derived[(key_id, label)] = _derive(secret, label)
        return found

    @property
    def signing_key(self) -> bytes:
        return self._current.signing

    def encrypt(self, plaintext: bytes) -> str:
        nonce = os.urandom(_NONCE)
        sealed = aead_seal(self._current.encryption, nonce, plaintext, None)
        return f"{self._current.key_id}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str) -> bytes:
        key_id, _, body = token.partition(":")
        keys = self._all.get(key_id)
        if keys is None:
            raise UnreadableSecret(f"dado cifrado com uma chave desconhecida ({key_id})")
        raw = base64.b64decode(body)
        problem = "dado cifrado corrompido ou chave errada"
        return aead_open(keys.encryption, raw[:_NONCE], raw[_NONCE:], None, problem)

    def needs_reencryption(self, token: str) -> bool:
        return not token.startswith(self._current.key_id + ":")

    def digest(self, value: str) -> str:
        """A keyed hash: a database dump alone cannot brute-force short secrets."""
        return hmac.new(self._current.hashing, value.encode(), hashlib.sha256).hexdigest()

    def digests(self, value: str) -> list[str]:
        """``value``'s keyed hash under every accepted key (lookups survive a rotation)."""
        return [
            hmac.new(k.hashing, value.encode(), hashlib.sha256).hexdigest()
            for k in self._all.values()
        ]

    def matches(self, value: str, digest: str) -> bool:
        """Constant-time check of ``value`` against any key's digest."""
        found = False
        for keys in self._all.values():
            mine = hmac.new(keys.hashing, value.encode(), hashlib.sha256).hexdigest()
            found |= hmac.compare_digest(mine, digest)
        return found


def load_or_create_secret(configured: str | None, key_file: Path) -> tuple[str, bool]:
    """The secret key and whether it was just generated into ``key_file``."""
    if configured is not None:
        return configured, False
    if key_file.exists():
        return key_file.read_text().strip(), False
    secret = secrets.token_urlsafe(48)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret + "\n")
    return secret, True
