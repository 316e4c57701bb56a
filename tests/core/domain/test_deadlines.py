"""Lei 9.784/1999 art. 66: skip the start day, include the last, move to the next business day."""

import datetime as dt

import pytest

from balcao import BusinessCalendar, Closure, Kind, Purpose
from balcao._domain.deadlines import resumed_due_date, rule_for

calendar = BusinessCalendar(closures=(Closure(dt.date(2027, 1, 4), dt.date(2027, 1, 8)),))
D = dt.date


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (D(2026, 11, 2), 30, D(2026, 12, 2)),  # plain: Wednesday
        (D(2026, 11, 25), 30, D(2026, 12, 28)),  # lands on Christmas (Friday) -> Monday 28
        (D(2026, 11, 5), 30, D(2026, 12, 7)),  # lands on Saturday 5 -> Monday 7
        (D(2026, 12, 2), 30, D(2027, 1, 11)),  # crosses the year, lands in the recess
        (D(2026, 12, 1), 20, D(2026, 12, 21)),
        (D(2026, 3, 14), 20, D(2026, 4, 6)),  # 3 April 2026 is Good Friday; 4-5 weekend
    ],
)
def test_add_legal_days(start: dt.date, days: int, due: dt.date) -> None:
    assert calendar.add_legal_days(start, days) == due


def test_start_day_is_excluded_and_last_day_included() -> None:
    assert calendar.add_legal_days(D(2026, 12, 1), 1) == D(2026, 12, 2)


def test_rules_per_purpose_and_kind() -> None:
    answer = rule_for(Purpose.RESPONSE, Kind.RECLAMACAO)
    lai = rule_for(Purpose.RESPONSE, Kind.ACESSO_INFORMACAO)
    unit = rule_for(Purpose.UNIT, Kind.DENUNCIA)
    complement = rule_for(Purpose.COMPLEMENTATION, Kind.ELOGIO)
    assert (answer.days, answer.extension_days) == (30, 30)
    assert (lai.days, lai.extension_days) == (20, 10)
    assert (unit.days, unit.extension_days) == (20, 20)
    assert (complement.days, complement.extension_days) == (20, 0)


def test_pause_gives_back_the_days_spent_paused() -> None:
    due = D(2026, 12, 10)
    assert resumed_due_date(calendar, due, D(2026, 12, 1), D(2026, 12, 4)) == D(2026, 12, 14)
    # the extra days land on Christmas: moved to the next business day
    assert resumed_due_date(calendar, D(2026, 12, 22), D(2026, 12, 1), D(2026, 12, 4)) == D(
        2026, 12, 28
    )
