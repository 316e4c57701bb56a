"""Text hygiene: names shown as what they are (no invisible characters), keys that fit."""

from __future__ import annotations

import hashlib
import unicodedata

__all__ = ["inbound_key", "visible"]

# Control characters, and format characters such as U+202E (right-to-left override) and the
# other bidi controls, zero-width spaces and joiners: "fatura\u202Efdp.exe" shows as
# "fatura" + "exe.pdf" reversed. Line and paragraph separators break a one-line name.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def visible(text: str) -> str:
    """``text`` without the characters that change how the rest is shown."""
    return "".join(c for c in text if unicodedata.category(c) not in _HIDDEN)


def inbound_key(external_id: str, limit: int = 200) -> str:
    """A provider's id as a deduplication key that fits its column: an id too long for it,
    or holding a NUL (which PostgreSQL refuses), is replaced by its sha256, so the same id
    still finds its duplicate."""
    if len(external_id) <= limit and "\x00" not in external_id:
        return external_id
    return "sha256:" + hashlib.sha256(external_id.encode("utf-8", "surrogatepass")).hexdigest()
