"""The published figures for a range of months, read from the database in three
statements, and the labels of their categories."""

from __future__ import annotations

import datetime as dt

from balcao._desk import Desk
from balcao._domain.kinds import Kind
from balcao._transparency.facts import CaseFact, case_facts, snapshot, unit_names
from balcao._transparency.tables import OTHERS, Labeler, Published, month_keys, publish

__all__ = ["WINDOW_MONTHS", "months_of_year", "published", "published_with_facts", "window"]

WINDOW_MONTHS = 24
_FIXED = {OTHERS: "Outros", "(sem unidade)": "Sem unidade definida"}


def window(today: dt.date, count: int = WINDOW_MONTHS) -> tuple[dt.date, int]:
    """The first day of the month ``count - 1`` months before today's, and ``count``."""
    index = today.year * 12 + today.month - 1 - (count - 1)
    return dt.date(index // 12, index % 12 + 1, 1), count


def months_of_year(year: int) -> tuple[dt.date, int]:
    return dt.date(year, 1, 1), 12


def _after(first: dt.date, count: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def _labeler(desk: Desk, units: dict[str, str]) -> Labeler:
    channels = {name: c.spec.title for name, c in desk.channels.items()}

    def label(dimension: str, key: str) -> str:
        if key in _FIXED:
            return _FIXED[key]
        if dimension == "tipo" and key in Kind.__members__.values():
            return Kind(key).label
        return {"canal": channels, "unidade": units}.get(dimension, {}).get(key, key)

    return label


async def published_with_facts(
    desk: Desk, first: dt.date, count: int
) -> tuple[Published, list[CaseFact]]:
    """The figures of ``count`` months from ``first`` on as the public sees them, and the
    facts they came from (for year totals computed by the same rules)."""
    today = desk.today()
    async with desk.database.read() as session:
        facts = await case_facts(session, desk.calendar, first, _after(first, count))
        now = await snapshot(session, today)
        units = await unit_names(session)
    months = month_keys(first, count)
    return publish(facts, months, today=today, now=now, label=_labeler(desk, units)), facts


async def published(desk: Desk, first: dt.date, count: int) -> Published:
    """The figures of ``count`` months from ``first`` on, as the public sees them."""
    return (await published_with_facts(desk, first, count))[0]
