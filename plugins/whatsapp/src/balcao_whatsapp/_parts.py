"""Long texts cut into parts that fit one WhatsApp message, at the most natural boundary."""

from __future__ import annotations

import re

__all__ = ["LIMIT", "split_text"]

# the Cloud API refuses a text body above 4,096 characters
LIMIT = 4096
# boundaries from the best to the worst: paragraph, line, sentence, word
_BOUNDARIES = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"[.!?;:]\s"),
    re.compile(r"\s"),
)


def split_text(text: str, budget: int) -> list[str]:
    """``text`` in pieces of at most ``budget`` characters; joined in order they give the
    same words in the same order (only the whitespace at each cut is dropped)."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > budget:
        cut = _cut(rest, budget)
        parts.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest or not parts:
        parts.append(rest)
    return parts


def _cut(text: str, budget: int) -> int:
    """Where to cut: the last boundary of the best kind in the window's second half."""
    window = text[: budget + 1]
    for boundary in _BOUNDARIES:
        ends = [m.end() for m in boundary.finditer(window) if m.end() <= budget]
        if ends and ends[-1] > budget // 2:
            return ends[-1]
    return budget
