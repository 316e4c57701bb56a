"""Legal deadlines: how many days each one gives, how it is extended and paused."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from balcao._domain.calendar import BusinessCalendar
from balcao._domain.kinds import Kind

__all__ = ["DeadlineRule", "Purpose", "resumed_due_date", "rule_for"]


class Purpose(enum.StrEnum):
    """What a deadline is for."""

    RESPONSE = "response"  # the ouvidoria's final answer to the citizen
    UNIT = "unit"  # a unit's answer to the ouvidoria
    COMPLEMENTATION = "complementation"  # the citizen's complementação

    @property
    def label(self) -> str:
        """What the deadline is for, as staff read it (pt-BR)."""
        return _LABELS[self]


_LABELS = {
    Purpose.RESPONSE: "Resposta ao cidadão",
    Purpose.UNIT: "Resposta da unidade",
    Purpose.COMPLEMENTATION: "Complementação pelo cidadão",
}


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """Days a deadline gives, and the one extension it allows (0: none)."""

    days: int
    extension_days: int
    basis: str


_ANSWER = DeadlineRule(30, 30, "Lei 13.460/2017, art. 16")
_LAI = DeadlineRule(20, 10, "Lei 12.527/2011, art. 11")
_UNIT = DeadlineRule(20, 20, "Lei 13.460/2017, art. 16, parágrafo único")
_COMPLEMENTATION = DeadlineRule(20, 0, "Decreto 9.492/2018, art. 18, § 2º")


def rule_for(purpose: Purpose, kind: Kind) -> DeadlineRule:
    """The rule for a deadline of ``purpose`` on a manifestation of ``kind``."""
    if purpose is Purpose.UNIT:
        return _UNIT
    if purpose is Purpose.COMPLEMENTATION:
        return _COMPLEMENTATION
    return _LAI if kind is Kind.ACESSO_INFORMACAO else _ANSWER


def resumed_due_date(
    calendar: BusinessCalendar, due: dt.date, paused_on: dt.date, resumed_on: dt.date
) -> dt.date:
    """The due date after a pause: the days spent paused are given back."""
    paused_days = max((resumed_on - paused_on).days, 0)
    return calendar.next_business_day(due + dt.timedelta(days=paused_days))
