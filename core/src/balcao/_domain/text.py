"""Text that is shown as a name must look like what it is: no invisible characters."""

from __future__ import annotations

import unicodedata

__all__ = ["visible"]

# Control characters, and format characters such as U+202E (right-to-left override) and the
# other bidi controls, zero-width spaces and joiners: "fatura\u202Efdp.exe" shows as
# "fatura" + "exe.pdf" reversed. Line and paragraph separators break a one-line name.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def visible(text: str) -> str:
    """``text`` without the characters that change how the rest is shown."""
    return "".join(c for c in text if unicodedata.category(c) not in _HIDDEN)
