"""One parser for the numbers and dates people type into query strings and forms: pages,
years, days, ids, dates. Each refuses what it cannot use with a message naming the field,
so nothing downstream meets a page past the end of the database or a date past year 9999."""

from __future__ import annotations

import datetime as dt

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "MAX_PAGE",
    "InvalidParameter",
    "parse_date",
    "parse_int",
    "parse_page",
    "parse_year",
]

MAX_PAGE = 100_000
# Far enough apart for every real date, far enough from the ends of the calendar that adding
# a year or two to either never overflows.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)


class InvalidParameter(ValueError):
    """A query or form value that cannot be used; the message names it (pt-BR)."""


def parse_int(raw: str | int | None, name: str, low: int, high: int) -> int | None:
    """An integer between ``low`` and ``high`` (both included); None when left empty."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    text = str(raw).strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        raise InvalidParameter(f"{name}: use um número inteiro entre {low} e {high}")
    value = int(text)
    if not low <= value <= high:
        raise InvalidParameter(f"{name}: use um número inteiro entre {low} e {high}")
    return value


def parse_page(raw: str | int | None, name: str = "page") -> int:
    """A page number, 1 when left empty."""
    return parse_int(raw, name, 1, MAX_PAGE) or 1


def parse_year(raw: str | int | None, name: str = "ano") -> int | None:
    return parse_int(raw, name, FIRST_DAY.year, LAST_DAY.year)


def parse_date(raw: str | dt.date | None, name: str) -> dt.date | None:
    """A date written AAAA-MM-DD, between 1900 and 2999; None when left empty."""
    if raw is None or raw == "":
        return None
    try:
        day = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidParameter(f"{name}: data inválida {raw!r}; use AAAA-MM-DD") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidParameter(
            f"{name}: use uma data entre {FIRST_DAY.isoformat()} e {LAST_DAY.isoformat()}"
        )
    return day
