"""``X-Hub-Signature-256``: HMAC-SHA256 of the raw body, keyed with the app secret."""

from __future__ import annotations

import hmac

__all__ = ["sign", "valid_signature"]

_PREFIX = "sha256="


def sign(secret: str, body: bytes) -> str:
    """The header value Meta sends for ``body``."""
    return _PREFIX + hmac.digest(secret.encode(), body, "sha256").hex()


def valid_signature(secret: str, body: bytes, header: str | None) -> bool:
    """Constant-time check of the header against the raw bytes received."""
    if not secret or not header or not header.startswith(_PREFIX):
        return False
    expected = sign(secret, body)
    return hmac.compare_digest(expected.encode(), header.strip().lower().encode())
