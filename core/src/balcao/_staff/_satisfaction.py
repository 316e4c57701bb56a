"""Survey answers of a year for the staff reports: rates by kind, channel, unit and month
(aggregates only; no answer is ever shown next to a protocol or a name here)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from balcao._desk import Desk
from balcao._domain.dates_pt import month_pt
from balcao._transparency.facts import CaseFact, case_facts
from balcao._transparency.stats import satisfaction
from balcao._web.labels import Labels

__all__ = ["survey_rates"]


def _groups(desk: Desk) -> list[tuple[str, Callable[[CaseFact], str]]]:
    labels = Labels.of(desk.channels)
    return [
        ("Por tipo", lambda f: labels.kind(f.kind)),
        ("Por canal", lambda f: labels.channel(f.channel)),
        ("Por unidade", lambda f: f.unit or "(sem unidade)"),
        ("Por mês", lambda f: month_pt(f.created_on.month, short=True)),
    ]


def _rates(facts: Sequence[CaseFact], key: Callable[[CaseFact], str]) -> list[dict[str, Any]]:
    grouped: dict[str, list[CaseFact]] = defaultdict(list)
    for fact in facts:
        grouped[key(fact)].append(fact)
    return [
        {"label": label, **_as_row(satisfaction(items, minimum=1))}
        for label, items in grouped.items()
    ]


def _as_row(found: Any) -> dict[str, Any]:
    return {name: getattr(found, name) for name in found.__struct_fields__}


async def survey_rates(desk: Desk, year: int) -> list[tuple[str, list[dict[str, Any]]]]:
    """One table per grouping: answers, shares of sim / parcialmente / não, mean rating."""
    async with desk.database.read() as session:
        facts = await case_facts(
            session, desk.calendar, dt.date(year, 1, 1), dt.date(year + 1, 1, 1), surveyed=True
        )
    return [(title, _rates(facts, key)) for title, key in _groups(desk)]
