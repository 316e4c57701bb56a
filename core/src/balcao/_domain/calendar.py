"""The balcão's business calendar: opening hours, holidays, closures, legal day counting."""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import importlib.util
import re
import sys
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import holidays

from balcao._domain.dates_pt import WEEKDAYS_SHORT, weekday_pt

__all__ = ["BusinessCalendar", "Closure", "Period"]

_SEARCH_LIMIT_DAYS = 800


@dataclass(frozen=True, slots=True)
class Period:
    """An opening period within a day, local time."""

    start: dt.time
    end: dt.time

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``"07:30-11:30"``."""
        start, _, end = text.partition("-")
        period = cls(dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip()))
        if period.end <= period.start:
            raise ValueError(f"o período {text!r} termina antes de começar")
        return period


@dataclass(frozen=True, slots=True)
class Closure:
    """Days the balcão is closed besides holidays (recess, municipal holidays), inclusive."""

    start: dt.date
    end: dt.date
    reason: str = "Recesso"

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` falls in this closure."""
        return self.start <= day <= self.end


@dataclass(frozen=True)
class BusinessCalendar:
    """Answers "is the balcão open at T", "when does it open next" and counts legal days."""

    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("America/Cuiaba"))
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    periods: Sequence[Period] = (Period.parse("07:30-11:30"), Period.parse("13:30-17:30"))
    closures: Sequence[Closure] = ()
    subdivision: str = "MT"

    def holiday_name(self, day: dt.date) -> str | None:
        """The holiday or closure that falls on ``day``, named in pt-BR, if any."""
        found = _holidays(self.subdivision, day.year).get(day)
        if found:
            return str(found)
        return next((c.reason for c in self.closures if c.covers(day)), None)

    def is_business_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day: not a weekend, holiday or closure."""
        return day.weekday() in self.weekdays and self.holiday_name(day) is None

    def local(self, at: dt.datetime) -> dt.datetime:
        """``at`` in the balcão's own time zone."""
        return at.astimezone(self.timezone)

    def is_open(self, at: dt.datetime) -> bool:
        """Whether the balcão attends at ``at``: a business day, inside opening hours."""
        local = self.local(at)
        if not self.is_business_day(local.date()):
            return False
        return any(p.start <= local.time() < p.end for p in self.periods)

    def next_opening(self, at: dt.datetime) -> dt.datetime:
        """``at`` itself when open, else the start of the next opening period (aware)."""
        if self.is_open(at):
            return at
        return next(start for start, _ in self.openings(at))

    def openings(self, at: dt.datetime) -> Iterable[tuple[dt.datetime, dt.datetime]]:
        """Opening periods (start, end) that end after ``at``, in order."""
        local = self.local(at)
        for offset in range(_SEARCH_LIMIT_DAYS):
            day = local.date() + dt.timedelta(days=offset)
            if not self.is_business_day(day):
                continue
            for period in self.periods:
                start = dt.datetime.combine(day, period.start, self.timezone)
                end = dt.datetime.combine(day, period.end, self.timezone)
                if end > local:
                    yield start, end

    def add_legal_days(self, start: dt.date, days: int) -> dt.date:
        """Lei 9.784/1999 art. 66: skip the start day, count calendar days, include the last,
        and move a last day without office hours to the next business day."""
        due = start + dt.timedelta(days=days)
        return self.next_business_day(due)

    def next_business_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a business day, else the next one."""
        for offset in range(_SEARCH_LIMIT_DAYS):
            candidate = day + dt.timedelta(days=offset)
            if self.is_business_day(candidate):
                return candidate
        raise ValueError("nenhum dia útil encontrado: verifique dias de atendimento e recessos")

    @staticmethod
    def weekday_name(day: dt.date, short: bool = False) -> str:
        """The pt-BR name of ``day``'s weekday: "segunda-feira" (``short``: "segunda")."""
        return weekday_pt(day, short)

    def hours_text(self) -> str:
        """Opening hours as a pt-BR sentence, e.g. for automatic replies."""
        names = WEEKDAYS_SHORT
        days = sorted(self.weekdays)
        span = f"de {names[days[0]]} a {names[days[-1]]}" if len(days) > 1 else names[days[0]]
        hours = " e ".join(f"{p.start:%Hh%M} às {p.end:%Hh%M}" for p in self.periods)
        return f"{span}, {hours}"


_CACHE: dict[tuple[str, int], holidays.HolidayBase] = {}


def _holidays(subdivision: str, year: int) -> holidays.HolidayBase:
    key = (subdivision, year)
    if key not in _CACHE:
        _CACHE[key] = _brazil()(subdiv=subdivision, years=year, language="pt_BR")
    return _CACHE[key]


# Package ``__init__``s of holidays that import every country or every calendar system
# (Hindu, Islamic, Chinese...): Brazil's module needs two of their names.
_UNRUN = ("holidays", "holidays.calendars", "holidays.countries", "holidays.groups")
_EXPORT = re.compile(r"^from ([\w.]+) import ([\w, ]+)$", re.MULTILINE)


@functools.cache
def _brazil() -> type[holidays.HolidayBase]:
    """Brazil's holidays alone. The package ``__init__``s above, run, would cost most of a
    second and over 10 MB that a server keeps for good: they are put in place unrun, each giving
    the names it exports by importing only the module that defines it, and running in full
    the first time anything else is asked of it (``holidays.country_holidays``...)."""
    for name in _UNRUN:
        if name not in sys.modules:
            sys.modules[name] = package = _unrun_package(name)
            parent, _, child = name.rpartition(".")
            if parent:
                setattr(sys.modules[parent], child, package)
    brazil: type[holidays.HolidayBase] = importlib.import_module("holidays.countries.brazil").Brazil
    return brazil


def _unrun_package(name: str) -> types.ModuleType:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or spec.origin is None:
        raise ImportError(f"holidays: package {name} not found")
    loader, package = spec.loader, importlib.util.module_from_spec(spec)
    source = Path(spec.origin).read_text(encoding="utf-8")
    where = {n.strip(): m for m, names in _EXPORT.findall(source) for n in names.split(",")}
    ran: list[bool] = []

    def attribute_of(attribute: str) -> object:
        if attribute in where:
            value = getattr(importlib.import_module(where[attribute]), attribute)
        elif not ran:
            ran.append(True)
            loader.exec_module(package)
            value = getattr(package, attribute)
        else:
            raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
        setattr(package, attribute, value)
        return value

    package.__getattr__ = attribute_of  # type: ignore[method-assign]
    return package
