"""The NUP (Número Único de Protocolo): 17 digits, two of them check digits (modulo 11)."""

from __future__ import annotations

import re

__all__ = ["InvalidNup", "format_nup", "parse_nup"]

_SEPARATORS = re.compile(r"[\s./\-]")


class InvalidNup(ValueError):
    """A NUP that is not 17 digits or whose check digits do not match."""


def _check_digit(digits: str) -> int:
    # Weights run from len+1 down to 2, left to right; 10 and 11 fold to 0 and 1.
    weights = range(len(digits) + 1, 1, -1)
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return (11 - remainder) % 10


def parse_nup(text: str) -> str:
    """The 17 digits of a NUP typed with or without punctuation; raises :class:`InvalidNup`."""
    digits = _SEPARATORS.sub("", text or "")
    if not digits.isdigit() or len(digits) != 17:
        raise InvalidNup(
            f"o NUP tem 17 dígitos, no formato 00000.000000/0000-00 (recebido {text!r})"
        )
    first = _check_digit(digits[:15])
    second = _check_digit(digits[:15] + str(first))
    if digits[15:] != f"{first}{second}":
        raise InvalidNup(
            f"dígitos verificadores do NUP {format_nup(digits)} não conferem: confira o número"
        )
    return digits


def format_nup(digits: str) -> str:
    """``00000.000000/0000-00``."""
    return f"{digits[:5]}.{digits[5:11]}/{digits[11:15]}-{digits[15:]}"
