"""Booking, cancelling and moving, through the JSON API and the pages, without Google
credentials (the fixed link of today's practice)."""

from __future__ import annotations

import asyncio
import datetime as dt

from meet_support import BOOKINGS, FALLBACK, book, booking, csrf_token, notes, starts

from balcao_meet import BookingRow

SLOT = "2026-12-02T08:00:00-04:00"


async def test_booking_creates_a_manifestation_with_the_fixed_link(make_meet) -> None:
    b = await make_meet()
    data = await book(b, booking(SLOT))
    assert data["start"] == SLOT
    assert data["meeting_url"] == FALLBACK
    assert data["access_code"]
    found = await b.desk.verify_access(data["protocol"], data["access_code"])
    assert found is not None
    assert found.channel == "meet"
    assert found.kind == "reclamacao"
    assert "02/12/2026 às 08h00" in found.subject
    assert any("agendado" in n and FALLBACK in n for n in await notes(b, data["protocol"]))


async def test_the_loser_of_a_race_for_one_slot_gets_409_and_no_manifestation(make_meet) -> None:
    b = await make_meet()
    bodies = [booking(SLOT), booking(SLOT, citizen={"name": "Ana", "email": "ana@example.org"})]
    answers = await asyncio.gather(*(b.client.post(BOOKINGS, json=body) for body in bodies))
    assert sorted(a.status_code for a in answers) == [201, 409]
    loser = next(a for a in answers if a.status_code == 409)
    assert "outro horário" in loser.json()["detail"]
    _, headers = await b.user("ouvidor")
    listing = await b.client.get(
        "/api/v1/manifestations", params={"channel": "meet"}, headers=headers
    )
    assert listing.json()["total"] == 1


async def test_booking_a_taken_slot_again_is_409(make_meet) -> None:
    b = await make_meet()
    await book(b, booking(SLOT))
    again = await b.client.post(BOOKINGS, json=booking(SLOT))
    assert again.status_code == 409


async def test_bad_bookings_are_refused_with_the_field_to_fix(make_meet) -> None:
    b = await make_meet()
    cases = {
        "citizen.email": booking(SLOT, citizen={"name": "Ana"}),
        "consent": booking(SLOT, consent=False),
        "kind": booking(SLOT, kind="fofoca"),
        "description": booking(SLOT, description="   "),
        "citizen.phone": booking(SLOT, citizen={"name": "Ana", "phone": "123"}),
    }
    for field, body in cases.items():
        response = await b.client.post(BOOKINGS, json=body)
        assert response.status_code == 422, (field, response.text)
        assert response.json()["field"] == field
    for start in (
        "2026-12-02T12:00:00-04:00",
        "2026-12-01T08:00:00-04:00",
        "2026-12-05T08:00:00-04:00",
        "2026-12-01T10:30:00-04:00",
    ):
        response = await b.client.post(BOOKINGS, json=booking(start))
        assert response.status_code == 422, start  # lunch, past, Saturday, inside lead time
        assert "horário" in response.json()["detail"]
    naive = await b.client.post(BOOKINGS, json=booking("2026-12-02T08:00:00"))
    assert naive.status_code == 422
    assert SLOT in await starts(b, "2026-12-02")  # nothing refused held the slot


async def test_cancel_needs_the_access_code_and_frees_the_slot(make_meet) -> None:
    b = await make_meet()
    data = await book(b, booking(SLOT))
    url = f"{BOOKINGS}/{data['protocol']}"
    assert (await b.client.delete(url, headers={"X-Access-Code": "ERRADO-123"})).status_code == 404
    assert (await b.client.delete(url)).status_code == 401
    assert SLOT not in await starts(b, "2026-12-02")
    response = await b.client.delete(url, headers={"X-Access-Code": data["access_code"]})
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert SLOT in await starts(b, "2026-12-02")
    again = await b.client.delete(url, headers={"X-Access-Code": data["access_code"]})
    assert again.status_code == 409
    assert any("cancelado pelo cidadão" in n for n in await notes(b, data["protocol"]))
    await book(b, booking(SLOT))  # somebody else may now take it


async def test_move_takes_the_new_slot_and_frees_the_old_one(make_meet) -> None:
    b = await make_meet()
    data = await book(b, booking(SLOT))
    other = await book(b, booking("2026-12-02T09:00:00-04:00"))
    url, code = f"{BOOKINGS}/{data['protocol']}", {"X-Access-Code": data["access_code"]}
    taken = await b.client.patch(url, json={"start": "2026-12-02T09:00:00-04:00"}, headers=code)
    assert taken.status_code == 409
    moved = await b.client.patch(url, json={"start": "2026-12-03T14:00:00-04:00"}, headers=code)
    assert moved.status_code == 200, moved.text
    assert moved.json()["start"] == "2026-12-03T14:00:00-04:00"
    assert SLOT in await starts(b, "2026-12-02")
    assert "2026-12-03T14:00:00-04:00" not in await starts(b, "2026-12-03")
    seen = await b.client.get(url, headers=code)
    assert seen.json()["start"] == "2026-12-03T14:00:00-04:00"
    assert other["protocol"] != data["protocol"]
    assert any("remarcado" in n for n in await notes(b, data["protocol"]))


async def test_a_past_booking_cannot_be_cancelled(make_meet) -> None:
    b = await make_meet()
    data = await book(b, booking(SLOT))
    b.clock.advance(days=2)
    url = f"{BOOKINGS}/{data['protocol']}"
    response = await b.client.delete(url, headers={"X-Access-Code": data["access_code"]})
    assert response.status_code == 409
    assert "passou" in response.json()["detail"]


async def test_the_pages_book_download_the_ics_and_cancel(make_meet) -> None:
    b = await make_meet()
    home = await b.client.get("/")
    assert "/channels/meet/" in home.text
    first = await b.client.get("/channels/meet/")
    assert first.status_code == 200
    assert 'value="2026-12-01T11:00:00-04:00"' in first.text  # today's slots first
    assert f'value="{SLOT}"' not in first.text  # one day at a time
    assert 'href="/channels/meet/?dia=2026-12-02"' in first.text
    page = await b.client.get("/channels/meet/", params={"dia": "2026-12-02"})
    assert f'value="{SLOT}"' in page.text
    assert "quarta-feira, 02/12/2026" in page.text
    assert 'aria-current="date"' in page.text
    token = csrf_token(page.text)
    form = {
        "_csrf_token": token,
        "start": SLOT,
        "name": "Maria",
        "email": "maria@example.org",
        "phone": "",
        "kind": "sugestao",
        "description": "Quero sugerir horários.",
        "consent": "sim",
    }
    done = await b.client.post("/channels/meet/agendar", data=form)
    assert done.status_code == 201, done.text
    assert FALLBACK in done.text
    assert "quarta-feira, 02/12/2026 às 08h00 (horário de Cuiabá)" in done.text
    protocol = done.text.split("<dt>Protocolo</dt><dd>")[1].split("<")[0]
    code = done.text.split("<strong>")[1].split("<")[0]
    ics = await b.client.post(
        "/channels/meet/agendamento.ics",
        data={"_csrf_token": token, "protocol": protocol, "access_code": code},
    )
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "DTSTART:20261202T120000Z" in ics.text
    assert "DTEND:20261202T123000Z" in ics.text
    again = await b.client.post("/channels/meet/agendar", data=form)
    assert again.status_code == 409
    assert "outro horário" in again.text
    manage = await b.client.post(
        "/channels/meet/gerenciar",
        data={"_csrf_token": token, "protocol": protocol, "access_code": code},
    )
    assert "Cancelar o atendimento" in manage.text
    cancelled = await b.client.post(
        "/channels/meet/cancelar",
        data={"_csrf_token": token, "protocol": protocol, "access_code": code},
    )
    assert "Atendimento cancelado" in cancelled.text
    assert SLOT in await starts(b, "2026-12-02")


async def test_a_form_without_the_csrf_token_is_refused(make_meet) -> None:
    b = await make_meet()
    response = await b.client.post("/channels/meet/agendar", data={"start": SLOT})
    assert response.status_code == 403


async def test_the_page_form_shows_what_to_fix(make_meet) -> None:
    b = await make_meet()
    page = await b.client.get("/channels/meet/")
    form = {
        "_csrf_token": csrf_token(page.text),
        "start": SLOT,
        "name": "Maria",
        "email": "",
        "phone": "",
        "kind": "sugestao",
        "description": "Quero sugerir.",
        "consent": "sim",
    }
    response = await b.client.post("/channels/meet/agendar", data=form)
    assert response.status_code == 422
    assert "e-mail ou um número de WhatsApp" in response.text
    assert 'value="Maria"' in response.text  # what was typed is kept
    assert len(await timeline_or_empty(b)) == 0


async def timeline_or_empty(b) -> list[object]:
    _, headers = await b.user("ouvidor")
    listing = await b.client.get("/api/v1/manifestations", headers=headers)
    return listing.json()["items"]


async def test_many_people_racing_for_one_slot_leave_exactly_one_booking(make_meet) -> None:
    b = await make_meet()
    bodies = [
        booking(SLOT, citizen={"name": f"P{i}", "email": f"p{i}@example.org"}) for i in range(5)
    ]
    answers = await asyncio.gather(*(b.client.post(BOOKINGS, json=body) for body in bodies))
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409, 409]
    winner = next(a.json() for a in answers if a.status_code == 201)
    code = {"X-Access-Code": winner["access_code"]}
    assert (await b.client.get(f"{BOOKINGS}/{winner['protocol']}", headers=code)).status_code == 200


async def test_the_pages_move_a_booking(make_meet) -> None:
    b = await make_meet()
    data = await book(b, booking(SLOT))
    page = await b.client.get("/channels/meet/gerenciar")
    token = csrf_token(page.text)
    ident = {"_csrf_token": token, "protocol": data["protocol"], "access_code": data["access_code"]}
    wrong = await b.client.post("/channels/meet/gerenciar", data={**ident, "access_code": "X"})
    assert wrong.status_code == 404
    assert "não conferem" in wrong.text
    manage = await b.client.post("/channels/meet/gerenciar", data=ident)
    assert 'value="2026-12-03T14:00:00-04:00"' in manage.text
    moved = await b.client.post(
        "/channels/meet/remarcar", data={**ident, "start": "2026-12-03T14:00:00-04:00"}
    )
    assert moved.status_code == 200
    assert "Atendimento remarcado" in moved.text
    assert "quinta-feira, 03/12/2026 às 14h00" in moved.text
    assert SLOT in await starts(b, "2026-12-02")


async def test_bookings_per_address_are_limited(make_meet) -> None:
    b = await make_meet(config={"bookings_per_hour": 2})
    await book(b, booking(SLOT))
    await book(b, booking("2026-12-02T09:00:00-04:00"))
    third = await b.client.post(BOOKINGS, json=booking("2026-12-02T10:00:00-04:00"))
    assert third.status_code == 429
    assert "Tente de novo" in third.json()["detail"]


async def test_the_routes_are_in_the_openapi_document(make_meet) -> None:
    b = await make_meet()
    schema = (await b.client.get("/schema/openapi.json")).json()
    assert "/channels/meet/api/slots" in schema["paths"]
    assert "post" in schema["paths"]["/channels/meet/api/bookings"]
    assert "delete" in schema["paths"]["/channels/meet/api/bookings/{protocol}"]


async def test_a_reservation_left_by_an_interrupted_booking_is_released(make_meet) -> None:
    b = await make_meet()
    start = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)  # 08:00 in Cuiabá
    now = b.clock.now()
    async with b.desk.database.write() as session:
        session.add(
            BookingRow(
                slot_key="2026-12-02T12:00Z",
                start_at=start,
                end_at=start + dt.timedelta(minutes=30),
                status="reserved",
                event_id="balcaostale0001",
                event_state="none",
                meeting_url="",
                contact="email",
                reminders=[],
                import_state="waiting",
                import_attempts=0,
                created_at=now,
                updated_at=now,
                extra={},
            )
        )
    assert SLOT not in await starts(b, "2026-12-02")
    await b.run_worker()
    assert SLOT not in await starts(b, "2026-12-02")  # a booking may still be under way
    b.clock.advance(minutes=11)
    await b.run_worker(rounds=2)
    assert SLOT in await starts(b, "2026-12-02")


async def test_guessing_access_codes_is_limited(make_meet) -> None:
    b = await make_meet(tracking_rate_limit_per_hour=3)
    data = await book(b, booking(SLOT))
    url = f"{BOOKINGS}/{data['protocol']}"
    answers = [
        (await b.client.get(url, headers={"X-Access-Code": f"ERRADO-{i}"})).status_code
        for i in range(4)
    ]
    assert answers == [404, 404, 404, 429]
    b.clock.advance(hours=1, minutes=1)
    right = await b.client.get(url, headers={"X-Access-Code": data["access_code"]})
    assert right.status_code == 200
