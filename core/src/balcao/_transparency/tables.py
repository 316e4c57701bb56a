"""The published tables: monthly figures and counts by kind, channel and unit, with every
cell under :data:`MIN_CELL` merged into "outros" or left out."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

import msgspec

from balcao._domain.kinds import Kind
from balcao._transparency.facts import CaseFact, Snapshot
from balcao._transparency.stats import MIN_CELL, Satisfaction, Timeliness, satisfaction, timeliness

__all__ = [
    "DIMENSIONS",
    "OTHERS",
    "Cell",
    "Labeler",
    "MonthFigures",
    "Now",
    "Published",
    "merge_small",
    "month_keys",
    "publish",
]

OTHERS = "outros"
DIMENSIONS: dict[str, Callable[[CaseFact], str]] = {
    "tipo": lambda f: f.kind,
    "canal": lambda f: f.channel,
    "unidade": lambda f: f.unit or "(sem unidade)",
}


class Cell(msgspec.Struct, frozen=True, kw_only=True):
    month: str
    dimension: str
    category: str
    label: str
    count: int


class Now(msgspec.Struct, frozen=True, kw_only=True):
    """Open now and overdue now; ``None`` when under MIN_CELL."""

    open: int | None
    overdue: int | None


class MonthFigures(msgspec.Struct, frozen=True, kw_only=True):
    month: str
    total: int | None
    timeliness: Timeliness
    satisfaction: Satisfaction


class Published(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the transparency page and the annual report publish."""

    months: list[MonthFigures]
    cells: list[Cell]
    now: Now


def merge_small(counts: dict[str, int]) -> dict[str, int] | None:
    """Cells of at least MIN_CELL; the rest in "outros", itself grown to MIN_CELL with the
    next smallest cells so that no small count can be recovered by subtraction. ``None``
    when the whole is under MIN_CELL."""
    total = sum(counts.values())
    if total < MIN_CELL:
        return None
    shown = {k: v for k, v in counts.items() if v >= MIN_CELL}
    others = total - sum(shown.values())
    while 0 < others < MIN_CELL:
        smallest = min(shown, key=lambda k: (shown[k], k))
        others += shown.pop(smallest)
    merged = dict(sorted(shown.items(), key=lambda kv: (-kv[1], kv[0])))
    return {**merged, OTHERS: others} if others else merged


def month_keys(first: dt.date, count: int) -> list[str]:
    """``count`` months as ``YYYY-MM`` from ``first``'s month on."""
    index = first.year * 12 + first.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index, index + count)]


def _month(fact: CaseFact) -> str:
    return f"{fact.created_on.year:04d}-{fact.created_on.month:02d}"


Labeler = Callable[[str, str], str]


def _cells(month: str, facts: Sequence[CaseFact], label: Labeler) -> Iterable[Cell]:
    # Denúncias and comunicações are counted in the totals only.
    public = [f for f in facts if not Kind(f.kind).whistleblowing]
    for dimension, key in DIMENSIONS.items():
        merged = merge_small(Counter(key(f) for f in public)) or {}
        yield from (
            Cell(month=month, dimension=dimension, category=c, label=label(dimension, c), count=n)
            for c, n in merged.items()
        )


def _figures(month: str, facts: Sequence[CaseFact], today: dt.date) -> MonthFigures:
    total = len(facts)
    return MonthFigures(
        month=month,
        total=total if total >= MIN_CELL else None,
        timeliness=timeliness(facts, today),
        satisfaction=satisfaction(facts),
    )


def _shown(count: int) -> int | None:
    return count if count >= MIN_CELL else None


def publish(
    facts: Sequence[CaseFact],
    months: Sequence[str],
    *,
    today: dt.date,
    now: Snapshot,
    label: Labeler,
) -> Published:
    """The monthly figures and cells for ``months``, and right now, small counts hidden."""
    by_month: dict[str, list[CaseFact]] = defaultdict(list)
    for fact in facts:
        by_month[_month(fact)].append(fact)
    return Published(
        months=[_figures(m, by_month[m], today) for m in months],
        cells=[c for m in months for c in _cells(m, by_month[m], label)],
        now=Now(open=_shown(now.open), overdue=_shown(now.overdue)),
    )
