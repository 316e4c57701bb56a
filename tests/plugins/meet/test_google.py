"""Meetings created in Google Calendar through the fake Google services: the JWT bearer
flow, events.insert with a Meet createRequest, pending conferences, retried inserts,
quota errors, refused credentials, move and delete."""

from __future__ import annotations

from meet_support import BOOKINGS, FALLBACK, book, booking, notes, starts

SLOT = "2026-12-02T08:00:00-04:00"


async def test_each_booking_gets_its_own_meet_link(make_meet, google, google_config) -> None:
    google.pending_reads = 2  # the insert and the first read say "pending"
    b = await make_meet(config=google_config)
    data = await book(b, booking(SLOT))
    assert data["meeting_url"] == "https://meet.google.com/abc-mnop-001"
    insert = google.calls("POST", "/events$")[0]
    assert insert.path == "/calendar/v3/calendars/ouvidoria@ufmt.br/events"
    assert insert.query["conferenceDataVersion"] == "1"
    assert insert.query["sendUpdates"] == "all"
    request = insert.body["conferenceData"]["createRequest"]
    assert request["conferenceSolutionKey"] == {"type": "hangoutsMeet"}
    assert insert.body["id"].startswith("balcao")
    assert set(insert.body["id"]) <= set("0123456789abcdefghijklmnopqrstuv")
    assert insert.body["start"] == {
        "dateTime": "2026-12-02T08:00:00-04:00",
        "timeZone": "America/Cuiaba",
    }
    assert insert.body["attendees"] == [{"email": "maria@example.org"}]
    assert data["protocol"] in insert.body["summary"]
    assert "Restaurante" not in insert.body["description"]  # the case text stays at the balcão
    assert len(google.calls("GET", "/events/")) == 2  # read until "success"
    assert len(google.events) == 1


async def test_the_token_comes_from_a_signed_assertion_for_the_delegated_user(
    make_meet, google, google_config
) -> None:
    b = await make_meet(config=google_config)
    await book(b, booking(SLOT))
    await book(b, booking("2026-12-02T09:00:00-04:00"))
    assert len(google.calls("POST", "^/token$")) == 1  # cached between calls
    claims = google.last_claims()
    assert claims["sub"] == "ouvidoria@ufmt.br"
    assert claims["iss"] == "balcao@projeto.iam.gserviceaccount.com"
    assert claims["aud"] == "https://oauth2.googleapis.com/token"
    assert "https://www.googleapis.com/auth/calendar.events" in claims["scope"].split()
    assert claims["exp"] - claims["iat"] == 3600


async def test_a_retried_insert_reads_the_event_back_instead_of_creating_two(
    make_meet, google, google_config
) -> None:
    google.lose_insert_answers = 1
    b = await make_meet(config=google_config)
    data = await book(b, booking(SLOT))
    inserts = google.calls("POST", "/events$")
    assert len(inserts) == 2
    assert inserts[0].body["id"] == inserts[1].body["id"]
    assert len(google.events) == 1
    assert data["meeting_url"] == "https://meet.google.com/abc-mnop-001"


async def test_a_short_rate_limit_is_waited_out(make_meet, google, google_config) -> None:
    google.fail("insert", 429, "rateLimitExceeded", retry_after="0")
    google.fail("insert", 403, "userRateLimitExceeded", retry_after="0")
    b = await make_meet(config=google_config)
    data = await book(b, booking(SLOT))
    assert data["meeting_url"].startswith("https://meet.google.com/abc-")
    assert len(google.calls("POST", "/events$")) == 3


async def test_lasting_quota_errors_use_the_fixed_link_then_sync_later(
    make_meet, google, google_config, recording_channel
) -> None:
    google.fail("insert", 403, "usageLimits", times=3, retry_after="0")
    whatsapp = type(recording_channel)(name="whatsapp")
    b = await make_meet(config=google_config, plugins=[("whatsapp", whatsapp)])
    body = booking(
        SLOT, citizen={"name": "João", "email": "joao@example.org", "phone": "65999887766"}
    )
    data = await book(b, body)
    assert data["meeting_url"] == FALLBACK
    assert any("usageLimits" in n or "403" in n for n in await notes(b, data["protocol"]))
    assert google.events == {}
    await b.run_worker(rounds=3)
    assert len(google.events) == 1
    event = next(iter(google.events.values()))
    assert event["attendees"] == [{"email": "joao@example.org"}]  # the invitation still goes
    seen = await b.client.get(
        f"{BOOKINGS}/{data['protocol']}", headers={"X-Access-Code": data["access_code"]}
    )
    assert seen.json()["meeting_url"] == "https://meet.google.com/abc-mnop-001"
    assert {m.recipient for m in whatsapp.sent} == {"5565999887766"}
    assert "https://meet.google.com/fix-ouvi-dor" in whatsapp.sent[0].text  # the confirmation
    assert "https://meet.google.com/abc-mnop-001" in whatsapp.sent[-1].text  # the new link


async def test_refused_credentials_keep_the_booking_with_the_fixed_link(
    make_meet, google, google_config
) -> None:
    google.token_error = "invalid_grant"
    b = await make_meet(config=google_config)
    data = await book(b, booking(SLOT))
    assert data["meeting_url"] == FALLBACK
    staff_notes = await notes(b, data["protocol"])
    assert any("invalid_grant" in n and "delegated_user" in n for n in staff_notes)
    assert SLOT not in await starts(b, "2026-12-02")


async def test_a_failed_conference_falls_back_and_tells_the_staff(
    make_meet, google, google_config
) -> None:
    google.conference_failure = True
    google.pending_reads = 1
    b = await make_meet(config=google_config)
    data = await book(b, booking(SLOT))
    assert data["meeting_url"] == FALLBACK
    assert any("sala do Meet" in n for n in await notes(b, data["protocol"]))


async def test_move_patches_the_event_and_keeps_the_link(make_meet, google, google_config) -> None:
    b = await make_meet(config=google_config)
    data = await book(b, booking(SLOT))
    url, code = f"{BOOKINGS}/{data['protocol']}", {"X-Access-Code": data["access_code"]}
    moved = await b.client.patch(url, json={"start": "2026-12-03T14:00:00-04:00"}, headers=code)
    assert moved.status_code == 200
    assert moved.json()["meeting_url"] == data["meeting_url"]
    patch = google.calls("PATCH", "/events/")[0]
    assert patch.body["start"]["dateTime"] == "2026-12-03T14:00:00-04:00"
    assert "conferenceData" not in patch.body


async def test_cancel_deletes_the_event_and_a_gone_event_counts_as_deleted(
    make_meet, google, google_config
) -> None:
    b = await make_meet(config=google_config)
    first = await book(b, booking(SLOT))
    second = await book(b, booking("2026-12-02T09:00:00-04:00"))
    for data in (first, second):
        url, code = f"{BOOKINGS}/{data['protocol']}", {"X-Access-Code": data["access_code"]}
        if data is second:
            google.events.clear()  # someone removed it in Google Calendar already: 404
        response = await b.client.delete(url, headers=code)
        assert response.status_code == 200
    deletes = google.calls("DELETE", "/events/")
    assert len(deletes) == 2
    assert deletes[0].query["sendUpdates"] == "all"
    assert google.events == {}
    google.fail("delete", 410, "deleted")
    third = await book(b, booking("2026-12-02T10:00:00-04:00"))
    url, code = f"{BOOKINGS}/{third['protocol']}", {"X-Access-Code": third["access_code"]}
    assert (await b.client.delete(url, headers=code)).status_code == 200
    assert not any("não removido" in n for n in await notes(b, third["protocol"]))


async def test_a_failed_delete_is_retried_by_the_worker(make_meet, google, google_config) -> None:
    b = await make_meet(config=google_config)
    data = await book(b, booking(SLOT))
    google.fail("delete", 500, "backendError", times=3, retry_after="0")
    url, code = f"{BOOKINGS}/{data['protocol']}", {"X-Access-Code": data["access_code"]}
    assert (await b.client.delete(url, headers=code)).status_code == 200
    assert SLOT in await starts(b, "2026-12-02")
    assert len(google.events) == 1
    await b.run_worker(rounds=3)
    assert google.events == {}


async def test_an_event_without_a_conference_uses_the_fixed_link(
    make_meet, google, google_config
) -> None:
    google.without_conference = True
    b = await make_meet(config=google_config)
    data = await book(b, booking(SLOT))
    assert data["meeting_url"] == FALLBACK
    assert len(google.events) == 1
    assert any("sem sala do Meet" in n for n in await notes(b, data["protocol"]))


async def test_the_home_card_and_page_work_with_credentials(
    make_meet, google, google_config
) -> None:
    b = await make_meet(config=google_config)
    assert "Atendimento por vídeo" in (await b.client.get("/")).text
    page = await b.client.get("/channels/meet/")
    assert "o convite da" in page.text


async def test_a_calendar_without_meet_still_gets_the_event_with_the_fixed_link(
    make_meet, google, google_config
) -> None:
    google.fail("insert", 400, "invalid", message="Invalid conference type value.")
    b = await make_meet(config=google_config)
    data = await book(b, booking(SLOT))
    assert data["meeting_url"] == FALLBACK
    first, second = google.calls("POST", "/events$")
    assert "conferenceData" in first.body
    assert "conferenceData" not in second.body
    event = next(iter(google.events.values()))
    assert FALLBACK in event["description"]
    assert event["attendees"] == [{"email": "maria@example.org"}]
    assert any("sem sala do Meet" in n for n in await notes(b, data["protocol"]))
