"""Protocol numbers and access codes."""

from __future__ import annotations

import re
import secrets

__all__ = [
    "access_code_from",
    "format_protocol",
    "new_access_code",
    "normalize_access_code",
    "parse_protocol",
]

# Crockford's base32: no I, L, O, U, so a code read aloud or copied by hand survives.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_LENGTH = 10  # 50 bits
_LOOKALIKES = str.maketrans("OIL", "011")
# as typed: with the hyphen, without it, or with what phones put in its place
_PROTOCOL = re.compile(r"^\s*(\d{4})\s*[-\u2013./]?\s*(\d{1,9})\s*$")


def format_protocol(year: int, sequence: int) -> str:
    """``2026-000123``."""
    return f"{year:04d}-{sequence:06d}"


def parse_protocol(text: str) -> tuple[int, int] | None:
    """(year, sequence) of a protocol number as a person may type it, or None."""
    match = _PROTOCOL.match(text)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))


def new_access_code() -> str:
    """A random access code, ``XXXXX-XXXXX`` (50 bits)."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def access_code_from(digest: str) -> str:
    """The access code that a keyed digest (hex, at least 13 digits) stands for: the same
    digest always gives the same code, so a repeated submission gets its code back
    without the code ever being stored."""
    number = int(digest[:13], 16)  # 52 bits, of which the code takes 50
    raw = "".join(_ALPHABET[(number >> (5 * i)) & 31] for i in range(_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_access_code(text: str) -> str:
    """Upper-case, no separators, and the letters people confuse with digits mapped."""
    cleaned = re.sub(r"[\s\-]", "", text.upper())
    return cleaned.translate(_LOOKALIKES)
