"""The pseudonymized extract of a denúncia (Decreto 10.153/2019, art. 3 and 6): the text a
unit receives, pre-checked for what could identify the denunciante."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Finding", "find_identifiers", "pseudonymize", "replace_name"]

_PARTICLES = {"da", "de", "do", "das", "dos", "e", "di", "du", "del"}
_PATTERNS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("email", "[e-mail removido]", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("cpf", "[CPF removido]", re.compile(r"(?<!\d)\d{3}\.?\d{3}\.?\d{3}[-.\s]?\d{2}(?!\d)")),
    (
        "matricula",
        "[matrícula removida]",
        re.compile(r"(?i)\b(?:matr[íi]cula|rga|siape|ra|registro)\b[\s:nº°o.#-]*\d[\d./-]{3,}\d"),
    ),
    (
        "telefone",
        "[telefone removido]",
        re.compile(r"(?<!\d)(?:\+?55[\s-]?)?(?:\(?\d{2}\)?[\s-]?)?9?\d{4}[\s-]?\d{4}(?!\d)"),
    ),
    ("numero", "[número removido]", re.compile(r"(?<![\d\[])\d{7,}(?!\d)")),
)
_LABELS = {
    "email": "e-mail",
    "cpf": "CPF",
    "matricula": "número de matrícula ou registro",
    "telefone": "telefone",
    "numero": "número longo (matrícula, documento?)",
    "nome": "nome do manifestante",
}


@dataclass(frozen=True)
class Finding:
    """Something in the text that may identify the denunciante."""

    kind: str
    text: str

    @property
    def label(self) -> str:
        return _LABELS[self.kind]


def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _name_pattern(name: str) -> re.Pattern[str] | None:
    """The full name, or any of its parts (accent- and case-insensitive, whole words)."""
    parts = [p for p in re.split(r"\s+", name.strip()) if len(p) > 2]
    parts = [p for p in parts if _fold_char(p) not in _PARTICLES]
    if not parts:
        return None
    alternatives = [re.escape(name.strip()), *sorted(map(re.escape, parts), key=len, reverse=True)]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def _folded(text: str) -> tuple[str, list[int]]:
    """The text without accents, and for each folded character its index in the original."""
    out: list[str] = []
    index: list[int] = []
    for i, char in enumerate(text):
        folded = _fold_char(char) or char
        out.append(folded)
        index.extend([i] * len(folded))
    return "".join(out), index


def _name_spans(text: str, name: str | None) -> list[tuple[int, int]]:
    pattern = _name_pattern(_fold_char(name) if name else "") if name else None
    if pattern is None:
        return []
    folded, index = _folded(text)
    index.append(len(text))
    return [(index[m.start()], index[m.end() - 1] + 1) for m in pattern.finditer(folded)]


def replace_name(text: str, name: str, alias: str) -> str:
    """``text`` with every mention of ``name`` (or a part of it) replaced by ``alias``."""
    for start, end in reversed(_name_spans(text, name)):
        text = text[:start] + alias + text[end:]
    return text


def _blank(match: re.Match[str]) -> str:
    return "\0" * len(match.group(0))


def find_identifiers(text: str, name: str | None = None) -> list[Finding]:
    """What in ``text`` may identify the citizen, in order of appearance."""
    found = [(s, Finding("nome", text[s:e])) for s, e in _name_spans(text, name)]
    remaining = text
    for kind, _replacement, pattern in _PATTERNS:
        for match in pattern.finditer(remaining):
            found.append((match.start(), Finding(kind, match.group(0))))
        # Blank what matched (same length) so later patterns do not match it again.
        remaining = pattern.sub(_blank, remaining)
    return [f for _, f in sorted(found, key=lambda item: item[0])]


def pseudonymize(text: str, name: str | None, alias: str) -> str:
    """The extract: identifiers replaced by neutral markers, the name by the pseudonym."""
    for _kind, replacement, pattern in _PATTERNS:
        text = pattern.sub(replacement, text)
    return replace_name(text, name, alias) if name else text
