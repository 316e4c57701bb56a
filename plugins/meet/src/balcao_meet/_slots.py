"""Free slots: opening periods cut into fixed-length slots, minus what is past, too soon,
booked or busy in the ouvidoria's calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

from balcao import BusinessCalendar

__all__ = ["Interval", "SlotRules", "business_horizon", "candidate_slots", "free_slots", "slot_key"]


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open time span ``[start, end)`` with aware datetimes."""

    start: dt.datetime
    end: dt.datetime

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class SlotRules:
    """How opening periods become bookable slots."""

    minutes: int
    buffer_minutes: int
    lead_minutes: int


def slot_key(start: dt.datetime) -> str:
    """The unique key of a slot: its start in UTC, to the minute."""
    return start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


def candidate_slots(
    calendar: BusinessCalendar, rules: SlotRules, first: dt.date, last: dt.date
) -> Iterator[Interval]:
    """Every slot inside opening hours on business days from ``first`` to ``last``."""
    begin = dt.datetime.combine(first, dt.time(0), calendar.timezone)
    length = dt.timedelta(minutes=rules.minutes)
    step = length + dt.timedelta(minutes=rules.buffer_minutes)
    for opens, closes in calendar.openings(begin):
        if opens.date() > last:
            return
        start = opens
        while start + length <= closes:
            yield Interval(start, start + length)
            start += step


def free_slots(
    candidates: Sequence[Interval],
    *,
    now: dt.datetime,
    rules: SlotRules,
    booked: Collection[str],
    busy: Sequence[Interval],
) -> list[Interval]:
    """The candidates that are far enough ahead, not booked and not busy."""
    earliest = now + dt.timedelta(minutes=rules.lead_minutes)
    return [
        slot
        for slot in candidates
        if slot.start >= earliest
        and slot_key(slot.start) not in booked
        and not any(slot.overlaps(b) for b in busy)
    ]


def business_horizon(calendar: BusinessCalendar, today: dt.date, days: int) -> dt.date:
    """The last day of the next ``days`` business days counted from ``today`` (included
    when it is one)."""
    day, counted = today, 0
    for _ in range(days * 7 + 60):
        if calendar.is_business_day(day):
            counted += 1
            if counted == days:
                return day
        day += dt.timedelta(days=1)
    return day
