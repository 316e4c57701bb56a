"""Free slots: opening hours, lunch gap, weekends, holidays, recess, time zone, lead time,
buffer, horizon, bookings and the ouvidoria's busy calendar."""

from __future__ import annotations

import datetime as dt

from meet_support import SLOTS, book, booking, starts

AFTERNOON = [
    f"2026-12-01T{h}-04:00"
    for h in (
        "13:30:00",
        "14:00:00",
        "14:30:00",
        "15:00:00",
        "15:30:00",
        "16:00:00",
        "16:30:00",
        "17:00:00",
    )
]


async def test_today_skips_the_past_the_lead_time_and_the_lunch_gap(make_meet) -> None:
    b = await make_meet()  # Tuesday 2026-12-01 10:00 in Cuiabá, 60 minutes of lead time
    assert await starts(b, "2026-12-01") == ["2026-12-01T11:00:00-04:00", *AFTERNOON]


async def test_a_full_day_has_both_periods_and_nothing_at_lunch(make_meet) -> None:
    b = await make_meet()
    found = await starts(b, "2026-12-02")
    assert found[0] == "2026-12-02T07:30:00-04:00"
    assert found[7] == "2026-12-02T11:00:00-04:00"
    assert found[8] == "2026-12-02T13:30:00-04:00"
    assert len(found) == 16
    assert not any("T12:" in s or "T11:30" in s or "T13:00" in s for s in found)


async def test_weekends_have_no_slots(make_meet) -> None:
    b = await make_meet()
    assert await starts(b, "2026-12-05", days=2) == []
    assert (await starts(b, "2026-12-07"))[0] == "2026-12-07T07:30:00-04:00"


async def test_christmas_and_a_configured_recess_have_no_slots(make_meet) -> None:
    recess = [{"start": "2026-12-28", "end": "2027-01-08", "reason": "Recesso de fim de ano"}]
    b = await make_meet(config={"days_ahead": 20}, closures=recess)
    b.clock.set(dt.datetime(2026, 12, 22, 9, 0))
    days = {s[:10] for s in await starts(b, "2026-12-22", days=30)}
    assert "2026-12-24" in days
    assert "2026-12-25" not in days
    assert not any("2026-12-28" <= d <= "2027-01-08" for d in days)
    assert "2027-01-11" in days


async def test_slots_carry_the_configured_time_zone(make_meet) -> None:
    b = await make_meet(timezone="America/Sao_Paulo")
    assert (await starts(b, "2026-12-02"))[0] == "2026-12-02T07:30:00-03:00"


async def test_slot_length_and_buffer(make_meet) -> None:
    b = await make_meet(config={"slot_minutes": 45, "buffer_minutes": 15})
    found = await starts(b, "2026-12-02")
    assert [s[11:16] for s in found] == [
        "07:30",
        "08:30",
        "09:30",
        "10:30",
        "13:30",
        "14:30",
        "15:30",
        "16:30",
    ]
    response = await b.client.get(SLOTS, params={"from": "2026-12-02", "days": 1})
    first = response.json()[0]
    assert first == {"start": "2026-12-02T07:30:00-04:00", "end": "2026-12-02T08:15:00-04:00"}


async def test_nothing_beyond_the_business_days_ahead(make_meet) -> None:
    b = await make_meet(config={"days_ahead": 3})
    days = {s[:10] for s in await starts(b, "2026-12-01", days=14)}
    assert days == {"2026-12-01", "2026-12-02", "2026-12-03"}


async def test_a_booked_slot_is_no_longer_offered(make_meet) -> None:
    b = await make_meet()
    await book(b, booking("2026-12-02T08:00:00-04:00"))
    found = await starts(b, "2026-12-02")
    assert "2026-12-02T08:00:00-04:00" not in found
    assert "2026-12-02T07:30:00-04:00" in found


async def test_busy_times_in_the_ouvidoria_calendar_are_left_out(
    make_meet, google, google_config
) -> None:
    google.busy = [("2026-12-02T18:00:00Z", "2026-12-02T19:00:00Z")]  # 14:00-15:00 in Cuiabá
    b = await make_meet(config=google_config)
    found = await starts(b, "2026-12-02")
    assert "2026-12-02T13:30:00-04:00" in found
    assert "2026-12-02T14:00:00-04:00" not in found
    assert "2026-12-02T14:30:00-04:00" not in found
    assert "2026-12-02T15:00:00-04:00" in found
    query = google.calls("POST", "/freeBusy$")[-1].body
    assert query["items"] == [{"id": "ouvidoria@ufmt.br"}]


async def test_bad_dates_get_a_message_not_a_crash(make_meet) -> None:
    b = await make_meet()
    response = await b.client.get(SLOTS, params={"from": "02/12/2026"})
    assert response.status_code == 400
    assert "AAAA-MM-DD" in response.json()["detail"]
    response = await b.client.get(SLOTS, params={"from": "2026-12-02", "days": 500})
    assert response.status_code == 400


async def test_the_calendar_is_asked_again_when_booking(make_meet, google, google_config) -> None:
    b = await make_meet(config=google_config)
    await starts(b, "2026-12-02")
    await starts(b, "2026-12-02")
    assert len(google.calls("POST", "/freeBusy$")) == 1  # page views share a recent reading
    google.busy = [("2026-12-02T12:00:00Z", "2026-12-02T12:30:00Z")]  # staff took 08:00
    response = await b.client.post(
        "/channels/meet/api/bookings", json=booking("2026-12-02T08:00:00-04:00")
    )
    assert response.status_code == 422
    assert len(google.calls("POST", "/freeBusy$")) == 2
