"""Sealing by purpose: a key per purpose, ciphertext bound to its table, column and row.

Every sealed column and every keyed lookup hash is registered (core and plugins alike), so
``balcao keys reseal`` can move all of them to the current key. Plugins get a
:class:`Sealer` for a purpose, never the key ring itself.
"""

from __future__ import annotations

import base64
import hmac
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from balcao._keys import KeyRing, UnreadableSecret, aead_open, aead_seal

__all__ = ["LookupColumn", "SealRegistry", "SealedColumn", "Sealer", "is_sealed"]

PREFIX = "s2:"
_NONCE = 12
Row = str | int | tuple[str | int, ...]


@dataclass(frozen=True)
class SealedColumn:
    """A column whose values are sealed for ``purpose``, bound to ``table``, ``column`` and
    the row's ``row_id`` columns (which must not change while the value is sealed, unless
    they are a registered lookup column that reseal rewrites itself).

    ``form`` is how the column stores the token: ``text``, ``bytes``, or ``json`` (an object
    ``{"sealed": token}``)."""

    purpose: str
    table: str
    column: str
    row_id: tuple[str, ...] = ("id",)
    form: Literal["text", "bytes", "json"] = "text"


@dataclass(frozen=True)
class LookupColumn:
    """A column holding a keyed hash for ``purpose``, recomputed by reseal from the value
    sealed for ``source`` in the same row (``derive`` turns that plaintext into the hashed
    text, or None). ``legacy_prefix``: hashes written before per-purpose keys hashed
    ``legacy_prefix + text`` with the old shared key; lookups still find them."""

    purpose: str
    table: str
    column: str
    source: str
    derive: Callable[[bytes], str | None] = field(default=lambda b: b.decode())
    legacy_prefix: str | None = None


def is_sealed(token: str | bytes | None) -> bool:
    """True for a token in the current format (the legacy one has no version prefix)."""
    if isinstance(token, bytes):
        return token.startswith(PREFIX.encode())
    return bool(token) and str(token).startswith(PREFIX)


def _hmac(key: bytes, message: bytes) -> str:
    return hmac.digest(key, message, "sha256").hex()


def _aad(column: SealedColumn, row: Row) -> bytes:
    values = row if isinstance(row, tuple) else (row,)
    bound = "|".join(str(v) for v in values)
    return f"{column.purpose}\x1f{column.table}\x1f{column.column}\x1f{bound}".encode()


class Sealer:
    """Seal, open, hash and sign for one purpose. Plugins get one from
    ``desk.sealer(purpose)``; the purpose of :meth:`seal`/:meth:`open` must be registered as a
    :class:`SealedColumn`, the row binding is the value of its ``row_id`` columns."""

    def __init__(
        self,
        ring: KeyRing | Callable[[], KeyRing],
        purpose: str,
        column: SealedColumn | None = None,
        lookup: LookupColumn | None = None,
    ) -> None:
        self._source = ring
        self.purpose = purpose
        self._column = column
        self._lookup = lookup

    @property
    def _ring(self) -> KeyRing:
        # the registry's ring at the time of use: a sealer kept across a key change follows it
        return self._source if isinstance(self._source, KeyRing) else self._source()

    def _key(self, key_id: str, use: str) -> bytes:
        return self._ring.derived(key_id, f"balcao:{use}:{self.purpose}")

    def _bound(self) -> SealedColumn:
        if self._column is None:
            raise LookupError(f"'{self.purpose}' não está registrado como coluna cifrada")
        return self._column

    def seal(self, plaintext: str | bytes, row: Row) -> str:
        """``plaintext`` sealed with the current key, bound to ``row``."""
        data = plaintext.encode() if isinstance(plaintext, str) else plaintext
        key_id = self._ring.current_id
        nonce = os.urandom(_NONCE)
        sealed = aead_seal(self._key(key_id, "seal"), nonce, data, _aad(self._bound(), row))
        return f"{PREFIX}{key_id}:{base64.b64encode(nonce + sealed).decode()}"

    def open(self, token: str | bytes, row: Row) -> bytes:
        """The plaintext of ``token`` sealed for ``row``; tokens of the first format (before
        per-purpose keys) are read too. Raises ``UnreadableSecret`` when no key opens it."""
        text = token.decode() if isinstance(token, bytes) else token
        if not text.startswith(PREFIX):
            return self._ring.decrypt(text)
        key_id, _, body = text[len(PREFIX) :].partition(":")
        raw = base64.b64decode(body)
        key = self._key(key_id, "seal")
        problem = "dado cifrado corrompido, de outra linha ou chave errada"
        return aead_open(key, raw[:_NONCE], raw[_NONCE:], _aad(self._bound(), row), problem)

    def open_text(self, token: str | bytes, row: Row) -> str:
        """Like :meth:`open`, decoded as UTF-8 text."""
        return self.open(token, row).decode()

    def seal_detached(self, plaintext: str | bytes) -> str:
        """``plaintext`` sealed for this purpose but for no row: for what is kept outside the
        database for a short while (a cookie, a value in transit). Nothing reseals it, so a
        key rotation leaves it readable only while the old key is kept. No registration
        needed. Open with :meth:`open_detached`.

        Example::

            token = desk.sealer("webform.receipt").seal_detached(b"...")"""
        data = plaintext.encode() if isinstance(plaintext, str) else plaintext
        key_id = self._ring.current_id
        nonce = os.urandom(_NONCE)
        sealed = aead_seal(self._key(key_id, "detached"), nonce, data, self._detached_aad())
        return f"{PREFIX}{key_id}:{base64.b64encode(nonce + sealed).decode()}"

    def open_detached(self, token: str) -> bytes:
        """The plaintext of a :meth:`seal_detached` token (tokens of the first format, before
        per-purpose keys, are read too). Raises ``UnreadableSecret`` when no key opens it
        (forged, corrupted, another purpose's, or the key is gone)."""
        if not token.startswith(PREFIX):
            return self._ring.decrypt(token)
        key_id, _, body = token[len(PREFIX) :].partition(":")
        problem = "dado cifrado corrompido, de outro propósito ou chave errada"
        try:
            raw = base64.b64decode(body)
            key = self._key(key_id, "detached")
            return aead_open(key, raw[:_NONCE], raw[_NONCE:], self._detached_aad(), problem)
        except ValueError as exc:  # not base64, an unknown key, a wrong tag (UnreadableSecret)
            raise UnreadableSecret(problem) from exc

    def _detached_aad(self) -> bytes:
        return f"{self.purpose}\x1fdetached".encode()

    def is_current(self, token: str | bytes) -> bool:
        """True when ``token`` needs no reseal."""
        prefix = f"{PREFIX}{self._ring.current_id}:"
        text = token.decode() if isinstance(token, bytes) else token
        return text.startswith(prefix)

    def digest(self, value: str) -> str:
        """The keyed lookup hash of ``value`` under the current key."""
        return self._mac(self._ring.current_id, value)

    def digests(self, value: str) -> list[str]:
        """``value``'s lookup hash under every accepted key, the current one first, then the
        first format's: look up with all, and rewrite a hit to :meth:`digest`."""
        found = [self._mac(key_id, value) for key_id in self._ring.key_ids]
        prefix = self._lookup.legacy_prefix if self._lookup else None
        if prefix is not None:
            found += self._ring.digests(prefix + value)
        return found

    def legacy_digests(self, text: str) -> list[str]:
        """The hashes of ``text`` as written before per-purpose keys (one per accepted key),
        for lookups of rows stored then; new rows use :meth:`digest`."""
        return self._ring.digests(text)

    def _mac(self, key_id: str, value: str) -> str:
        return _hmac(self._key(key_id, "lookup"), value.encode())

    def sign(self, message: bytes) -> str:
        """An HMAC-SHA256 signature of ``message`` (current key); check with :meth:`verify`."""
        return _hmac(self._key(self._ring.current_id, "sign"), message)

    def verify(self, message: bytes, signature: str) -> bool:
        """Constant-time check of ``signature`` against every accepted key."""
        ok = False
        for key_id in self._ring.key_ids:
            mine = _hmac(self._key(key_id, "sign"), message)
            ok |= hmac.compare_digest(mine, signature)
        return ok


class SealRegistry:
    """Every sealed column and lookup column of the core and the installed plugins."""

    def __init__(self, ring: KeyRing, specs: Iterable[SealedColumn | LookupColumn]) -> None:
        self.ring = ring
        self.columns: dict[str, SealedColumn] = {}
        self.lookups: dict[str, LookupColumn] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: SealedColumn | LookupColumn) -> None:
        target: dict[str, SealedColumn] | dict[str, LookupColumn]
        target = self.columns if isinstance(spec, SealedColumn) else self.lookups
        if spec.purpose in self.columns or spec.purpose in self.lookups:
            raise ValueError(f"propósito de cifragem '{spec.purpose}' registrado duas vezes")
        target[spec.purpose] = spec  # type: ignore[assignment]

    def sealer(self, purpose: str) -> Sealer:
        column, lookup = self.columns.get(purpose), self.lookups.get(purpose)
        return Sealer(lambda: self.ring, purpose, column, lookup)

    def tables(self) -> dict[str, tuple[list[SealedColumn], list[LookupColumn]]]:
        """Per table: its sealed columns and its lookup columns."""
        found: dict[str, tuple[list[SealedColumn], list[LookupColumn]]] = {}
        for column in self.columns.values():
            found.setdefault(column.table, ([], []))[0].append(column)
        for lookup in self.lookups.values():
            found.setdefault(lookup.table, ([], []))[1].append(lookup)
        return found
