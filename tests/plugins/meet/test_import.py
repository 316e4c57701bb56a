"""After the meeting: conference records, participants and transcript entries become an
internal note, read through the Meet API (with paging) once the transcript is final."""

from __future__ import annotations

import datetime as dt

from meet_support import book, booking, notes

SLOT = "2026-12-02T08:00:00-04:00"
RECORD = "conferenceRecords/rec-1"


def _meeting(google, transcript_state: str = "FILE_GENERATED") -> None:
    google.records["abc-mnop-001"] = [
        {
            "name": RECORD,
            "startTime": "2026-12-02T12:01:05.120Z",
            "endTime": "2026-12-02T12:24:40Z",
            "expireTime": "2027-01-01T12:24:40Z",
            "space": "spaces/sp1",
        }
    ]
    google.participants[RECORD] = [
        {
            "name": f"{RECORD}/participants/p1",
            "earliestStartTime": "2026-12-02T12:01:05Z",
            "latestEndTime": "2026-12-02T12:24:40Z",
            "signedinUser": {"user": "users/1", "displayName": "Atendente Ana"},
        },
        {
            "name": f"{RECORD}/participants/p2",
            "earliestStartTime": "2026-12-02T12:03:00Z",
            "latestEndTime": "2026-12-02T12:24:00Z",
            "anonymousUser": {"displayName": "Maria"},
        },
    ]
    google.transcripts[RECORD] = [{"name": f"{RECORD}/transcripts/t1", "state": transcript_state}]
    google.entries[f"{RECORD}/transcripts/t1"] = [
        {
            "name": "e1",
            "participant": f"{RECORD}/participants/p2",
            "text": "Bom dia, o RU fechou.",
            "languageCode": "pt-BR",
            "startTime": "2026-12-02T12:04:00Z",
            "endTime": "2026-12-02T12:04:05Z",
        },
        {
            "name": "e2",
            "participant": f"{RECORD}/participants/p1",
            "text": "Vamos verificar.",
            "languageCode": "pt-BR",
            "startTime": "2026-12-02T12:05:00Z",
            "endTime": "2026-12-02T12:05:03Z",
        },
    ]


async def test_the_conference_becomes_an_internal_note_once(
    make_meet, google, google_config
) -> None:
    google.page_size = 1  # every list comes in pages
    b = await make_meet(config=google_config)
    data = await book(b, booking(SLOT))
    _meeting(google)
    b.clock.set(dt.datetime(2026, 12, 2, 8, 20))
    await b.run_worker(rounds=2)
    assert not any("Registro da reunião" in n for n in await notes(b, data["protocol"]))
    b.clock.set(dt.datetime(2026, 12, 2, 8, 46))
    await b.run_worker(rounds=2)
    found = [n for n in await notes(b, data["protocol"]) if "Registro da reunião" in n]
    assert len(found) == 1
    note = found[0]
    assert "Início: 02/12/2026 08:01:05 · Fim: 02/12/2026 08:24:40" in note
    assert "Atendente Ana: entrou 02/12/2026 08:01:05" in note
    # the citizen is named by the case's pseudonym, as everywhere staff look
    alias = (await b.desk.get(data["protocol"])).pseudonym
    assert "Maria" not in note
    assert f"{alias} (anônimo)" in note
    assert f"[02/12/2026 08:04:00] {alias} (anônimo): Bom dia, o RU fechou." in note
    assert "[02/12/2026 08:05:00] Atendente Ana: Vamos verificar." in note
    query = google.calls("GET", "/conferenceRecords$")[0].query
    assert query["filter"] == 'space.meeting_code = "abc-mnop-001"'
    assert any(c.query.get("pageToken") == "1" for c in google.calls("GET", "/participants$"))
    b.clock.advance(hours=1)
    await b.run_worker(rounds=2)
    assert len([n for n in await notes(b, data["protocol"]) if "Registro da reunião" in n]) == 1


async def test_a_transcript_still_being_written_is_waited_for(
    make_meet, google, google_config
) -> None:
    b = await make_meet(config=google_config)
    data = await book(b, booking(SLOT))
    _meeting(google, transcript_state="ENDED")
    b.clock.set(dt.datetime(2026, 12, 2, 8, 46))
    await b.run_worker(rounds=2)
    assert not any("Registro da reunião" in n for n in await notes(b, data["protocol"]))
    google.transcripts[RECORD][0]["state"] = "FILE_GENERATED"
    b.clock.advance(minutes=16)
    await b.run_worker(rounds=2)
    assert any("Vamos verificar." in n for n in await notes(b, data["protocol"]))


async def test_transcripts_are_not_read_when_disabled(make_meet, google, google_config) -> None:
    b = await make_meet(config={**google_config, "import_transcripts": False})
    data = await book(b, booking(SLOT))
    _meeting(google)
    b.clock.set(dt.datetime(2026, 12, 2, 8, 46))
    await b.run_worker(rounds=2)
    note = next(n for n in await notes(b, data["protocol"]) if "Registro da reunião" in n)
    assert "Atendente Ana" in note
    assert "RU fechou" not in note
    assert google.calls("GET", "/transcripts") == []


async def test_a_meeting_nobody_joined_is_noted_after_the_wait(
    make_meet, google, google_config
) -> None:
    b = await make_meet(config=google_config)
    data = await book(b, booking(SLOT))
    b.clock.set(dt.datetime(2026, 12, 2, 8, 46))
    await b.run_worker(rounds=2)
    assert not any("nenhuma conferência" in n for n in await notes(b, data["protocol"]))
    b.clock.set(dt.datetime(2026, 12, 4, 9, 0))
    await b.run_worker(rounds=2)
    assert any("nenhuma conferência" in n for n in await notes(b, data["protocol"]))


async def test_permission_denied_is_explained_once(make_meet, google, google_config) -> None:
    b = await make_meet(config=google_config)
    data = await book(b, booking(SLOT))
    google.fail("records", 403, "PERMISSION_DENIED")
    b.clock.set(dt.datetime(2026, 12, 2, 8, 46))
    await b.run_worker(rounds=2)
    b.clock.advance(minutes=16)
    await b.run_worker(rounds=2)
    found = [n for n in await notes(b, data["protocol"]) if "meetings.space.readonly" in n]
    assert len(found) == 1


async def test_without_credentials_nothing_is_read(make_meet, google) -> None:
    b = await make_meet()
    data = await book(b, booking(SLOT))
    b.clock.set(dt.datetime(2026, 12, 2, 9, 0))
    await b.run_worker(rounds=2)
    assert google.requests == []
    assert not any("Registro da reunião" in n for n in await notes(b, data["protocol"]))
