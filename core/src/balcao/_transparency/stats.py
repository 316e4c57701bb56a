"""Small statistics on lists of facts: shares, median, percentile, satisfaction."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Sequence

import msgspec

from balcao._transparency.facts import CaseFact

__all__ = [
    "MIN_CELL",
    "Satisfaction",
    "Timeliness",
    "percent",
    "percentile",
    "satisfaction",
    "timeliness",
]

MIN_CELL = 5
"""No published figure rests on fewer manifestations than this."""


class Timeliness(msgspec.Struct, frozen=True, kw_only=True):
    answered: int | None
    on_time_pct: float | None
    median_days: float | None
    p90_days: float | None


class Satisfaction(msgspec.Struct, frozen=True, kw_only=True):
    answers: int | None
    yes_pct: float | None
    partly_pct: float | None
    no_pct: float | None
    mean_rating: float | None


_NO_SATISFACTION = Satisfaction(
    answers=None, yes_pct=None, partly_pct=None, no_pct=None, mean_rating=None
)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def percentile(values: Sequence[int], share: float) -> float:
    """Nearest rank: the smallest value with at least ``share`` of the values at or below it."""
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(share * len(ordered)) - 1)])


def _due(fact: CaseFact, today: dt.date) -> bool:
    """Counts for the deadline share: answered, or still open with its deadline gone."""
    if fact.answered_on is not None:
        return fact.due_on is not None
    return (
        fact.due_on is not None and fact.due_on < today and fact.state not in ("closed", "archived")
    )


def timeliness(facts: Sequence[CaseFact], today: dt.date) -> Timeliness:
    """Days to the first answer (calendar days, as Fala.BR counts them) and the share of
    answers given within the legal deadline; ``None`` under :data:`MIN_CELL`."""
    days = [(f.answered_on - f.created_on).days for f in facts if f.answered_on]
    due = [f for f in facts if _due(f, today)]
    in_time = sum(1 for f in due if f.answered_on and f.due_on and f.answered_on <= f.due_on)
    enough = len(days) >= MIN_CELL
    return Timeliness(
        answered=len(days) if enough else None,
        on_time_pct=percent(in_time, len(due)) if len(due) >= MIN_CELL else None,
        median_days=float(statistics.median(days)) if enough else None,
        p90_days=percentile(days, 0.9) if enough else None,
    )


def satisfaction(facts: Sequence[CaseFact], minimum: int = MIN_CELL) -> Satisfaction:
    """Shares of "sim / parcialmente / não" and the mean rating of the answers given."""
    answered = [f for f in facts if f.rating is not None]
    n = len(answered)
    if n < max(minimum, 1):
        return Satisfaction(
            answers=None, yes_pct=None, partly_pct=None, no_pct=None, mean_rating=None
        )
    ratings = [f.rating for f in answered if f.rating is not None]
    return Satisfaction(
        answers=n,
        yes_pct=percent(sum(f.attended == "sim" for f in answered), n),
        partly_pct=percent(sum(f.attended == "parcialmente" for f in answered), n),
        no_pct=percent(sum(f.attended == "nao" for f in answered), n),
        mean_rating=round(statistics.fmean(ratings), 2),
    )
