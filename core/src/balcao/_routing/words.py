"""Whole-word, case- and accent-insensitive matching of words and phrases.

A manifestation's text is folded and split into words once (cached), so each rule only
does set look-ups (single words) or one substring search (phrases)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from balcao._text import fold

__all__ = ["Phrase", "Text", "phrase", "prepare"]

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Text:
    """The text of a manifestation, raw and folded into words."""

    raw: str
    folded: str
    words: frozenset[str]
    padded: str  # " word word word ": a phrase is found as " its words "


@lru_cache(maxsize=256)
def prepare(subject: str, description: str) -> Text:
    raw = f"{subject}\n{description}" if subject else description
    folded = fold(raw)
    words = _WORD.findall(folded)
    return Text(raw, folded, frozenset(words), " " + " ".join(words) + " ")


@dataclass(frozen=True, slots=True)
class Phrase:
    """A word or phrase of a rule, as written and as matched."""

    original: str
    key: str
    single: bool
    anchor: str  # its longest word: present whenever the phrase is

    def found(self, text: Text) -> bool:
        return self.key in text.words if self.single else self.key in text.padded


def phrase(original: str) -> Phrase:
    """Compile a word or phrase; ValueError when it has no letters or digits."""
    words = _WORD.findall(fold(original))
    if not words:
        raise ValueError(f"{original!r} não tem letras nem números")
    anchor = max(words, key=len)
    if len(words) == 1:
        return Phrase(original, words[0], True, anchor)
    return Phrase(original, " " + " ".join(words) + " ", False, anchor)
