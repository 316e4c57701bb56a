"""Quoted text and signatures cut from a reply, for the timeline (the original is kept)."""

from __future__ import annotations

import re

__all__ = ["trim"]

# The line a mail program writes above the quoted message it answers.
_QUOTE_HEADERS = re.compile(
    r"^\s*(em .{0,200} escreveu:|on .{0,200} wrote:|-{2,}\s*(original message|"
    r"mensagem original)\s*-{2,}|_{5,})\s*$",
    re.IGNORECASE,
)
# Outlook's quoted header block: "De: ..." followed by "Enviado:"/"Sent:".
_OUTLOOK = re.compile(r"^\s*(de|from):\s.+\n\s*(enviad[oa]|sent|data|date):\s", re.I | re.M)
# A forwarded message is the citizen's content, not a quote: never cut below this line.
_FORWARDED = re.compile(r"^\s*-{2,}\s*(forwarded message|mensagem encaminhada)", re.I | re.M)


def trim(text: str) -> str:
    """The new part of ``text``; the whole text when trimming would leave nothing."""
    kept: list[str] = []
    for line in _cut_outlook(text).splitlines():
        if line.rstrip() == "--" or _QUOTE_HEADERS.match(line):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    result = "\n".join(kept).strip()
    return result or text.strip()


def _cut_outlook(text: str) -> str:
    found = _OUTLOOK.search(text)
    forwarded = _FORWARDED.search(text)
    if found is None or (forwarded is not None and forwarded.start() < found.start()):
        return text
    return text[: found.start()]
