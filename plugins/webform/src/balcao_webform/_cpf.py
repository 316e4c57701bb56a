"""CPF (Cadastro de Pessoas Físicas) check-digit validation."""

from __future__ import annotations

import re

__all__ = ["normalize_cpf", "valid_cpf"]


def normalize_cpf(value: str) -> str:
    """Only the digits (``123.456.789-09`` → ``12345678909``)."""
    return re.sub(r"\D", "", value)


def valid_cpf(value: str) -> bool:
    """True when ``value`` has 11 digits, not all equal, and both check digits match."""
    digits = normalize_cpf(value)
    if len(digits) != 11 or len(set(digits)) == 1 or re.search(r"[^\d.\-\s]", value):
        return False
    numbers = [int(d) for d in digits]
    return _check(numbers[:9]) == numbers[9] and _check(numbers[:10]) == numbers[10]


def _check(numbers: list[int]) -> int:
    weight = len(numbers) + 1
    total = sum(n * (weight - i) for i, n in enumerate(numbers))
    rest = (total * 10) % 11
    return 0 if rest == 10 else rest
