import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from balcao import BusinessCalendar, Closure

CUIABA = ZoneInfo("America/Cuiaba")
calendar = BusinessCalendar(
    closures=(Closure(dt.date(2027, 1, 4), dt.date(2027, 1, 8), "Recesso"),)
)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CUIABA)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 12, 1, 7, 29), False),
        (at(2026, 12, 1, 7, 30), True),
        (at(2026, 12, 1, 12, 0), False),  # lunch gap
        (at(2026, 12, 1, 13, 30), True),
        (at(2026, 12, 1, 17, 30), False),
        (at(2026, 12, 5, 10, 0), False),  # Saturday
        (at(2026, 12, 25, 10, 0), False),  # Christmas
        (at(2027, 1, 5, 10, 0), False),  # configured recess
        (at(2026, 11, 20, 10, 0), False),  # Consciência Negra, national holiday
    ],
)
def test_is_open(moment: dt.datetime, expected: bool) -> None:
    assert calendar.is_open(moment) is expected


def test_next_opening_skips_weekend_christmas_and_recess() -> None:
    assert calendar.next_opening(at(2026, 12, 1, 12, 0)) == at(2026, 12, 1, 13, 30)
    assert calendar.next_opening(at(2026, 12, 24, 18, 0)) == at(2026, 12, 28, 7, 30)
    assert calendar.next_opening(at(2026, 12, 31, 18, 0)) == at(2027, 1, 11, 7, 30)


def test_open_now_returns_the_same_moment() -> None:
    assert calendar.next_opening(at(2026, 12, 1, 10, 0)) == at(2026, 12, 1, 10, 0)


def test_utc_instant_is_read_in_cuiaba_time() -> None:
    # 11:45 UTC is 07:45 in Cuiabá: open.
    assert calendar.is_open(dt.datetime(2026, 12, 1, 11, 45, tzinfo=dt.UTC))


def test_holiday_names_are_in_portuguese() -> None:
    assert calendar.holiday_name(dt.date(2026, 12, 25)) == "Natal"
    assert calendar.holiday_name(dt.date(2027, 1, 6)) == "Recesso"
    assert calendar.holiday_name(dt.date(2026, 12, 2)) is None


def test_hours_text() -> None:
    assert calendar.hours_text() == "de segunda a sexta, 07h30 às 11h30 e 13h30 às 17h30"
