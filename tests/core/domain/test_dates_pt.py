"""Dates in pt-BR, as the core and plugins (Meet, WhatsApp) write them for people."""

from __future__ import annotations

import datetime as dt

from balcao import format_date_pt, month_pt, weekday_pt


def test_weekdays_are_named_in_portuguese_monday_first() -> None:
    week = [dt.date(2026, 11, 30) + dt.timedelta(days=n) for n in range(7)]
    assert [weekday_pt(d) for d in week] == [
        "segunda-feira",
        "terça-feira",
        "quarta-feira",
        "quinta-feira",
        "sexta-feira",
        "sábado",
        "domingo",
    ]
    assert weekday_pt(week[2], short=True) == "quarta"


def test_a_date_reads_with_its_weekday() -> None:
    assert format_date_pt(dt.date(2026, 12, 2)) == "quarta-feira, 02/12/2026"
    assert format_date_pt(dt.date(2027, 1, 4), weekday=False) == "04/01/2027"


def test_months_are_named_in_portuguese() -> None:
    assert [month_pt(m, short=True) for m in (1, 2, 3, 9, 12)] == [
        "jan",
        "fev",
        "mar",
        "set",
        "dez",
    ]
    assert month_pt(3) == "março"
