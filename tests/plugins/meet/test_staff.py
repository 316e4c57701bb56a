"""The staff agenda under /exports/meet and the outcome of each booking."""

from __future__ import annotations

from meet_support import BOOKINGS, book, booking, csrf_token, notes, starts, with_phone

from balcao.testing import RecordingChannel

AGENDA = "/exports/meet/api/agenda"


async def test_the_agenda_lists_today_and_the_week_for_staff_only(make_meet) -> None:
    b = await make_meet()
    today = await book(b, booking("2026-12-01T14:00:00-04:00"))
    friday = await book(b, booking("2026-12-04T08:00:00-04:00"))
    monday = await book(b, booking("2026-12-07T08:00:00-04:00"))
    assert (await b.client.get(AGENDA)).status_code == 401
    _, unit = await b.user("unidade", unit="PRAE")
    assert (await b.client.get(AGENDA, headers=unit)).status_code == 403
    _, staff = await b.user("atendente")
    day = (await b.client.get(AGENDA, headers=staff)).json()
    assert [i["protocol"] for i in day] == [today["protocol"]]
    assert day[0]["start"] == "2026-12-01T14:00:00-04:00"
    assert day[0]["kind"] == "reclamacao"
    assert day[0]["manifestation_url"] == f"/staff/manifestacoes/{today['protocol']}"
    week = (await b.client.get(AGENDA, params={"period": "week"}, headers=staff)).json()
    assert [i["protocol"] for i in week] == [today["protocol"], friday["protocol"]]
    nxt = await b.client.get(AGENDA, params={"period": "week", "from": "2026-12-08"}, headers=staff)
    assert [i["protocol"] for i in nxt.json()] == [monday["protocol"]]
    page = await b.client.get("/exports/meet/agenda", params={"period": "week"}, headers=staff)
    assert page.status_code == 200
    assert f"/staff/manifestacoes/{friday['protocol']}" in page.text
    assert "Maria" not in page.text  # the agenda never shows who the citizen is
    assert "segunda-feira, 30/11/2026 a domingo, 06/12/2026" in page.text
    assert 'from=2026-12-07"' in page.text.replace("&amp;", "&")


async def test_attended_and_no_show_are_recorded(make_meet) -> None:
    b = await make_meet()
    data = await book(b, booking("2026-12-01T14:00:00-04:00"))
    _, staff = await b.user("atendente")
    url = f"/exports/meet/api/bookings/{data['protocol']}/outcome"
    response = await b.client.post(url, json={"outcome": "attended"}, headers=staff)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "attended"
    response = await b.client.post(url, json={"outcome": "no_show"}, headers=staff)
    assert response.json()["status_label"] == "Não compareceu"
    assert any("Não compareceu" in n for n in await notes(b, data["protocol"]))
    _, auditor = await b.user("auditor")
    assert (
        await b.client.post(url, json={"outcome": "attended"}, headers=auditor)
    ).status_code == 403
    bad = await b.client.post(url, json={"outcome": "sumiu"}, headers=staff)
    assert bad.status_code == 400


async def test_cancelled_by_the_ouvidoria_frees_the_slot_and_tells_the_citizen(
    make_meet, google, google_config
) -> None:
    whatsapp = RecordingChannel(name="whatsapp")
    b = await make_meet(config=google_config, plugins=[("whatsapp", whatsapp)])
    data = await book(b, with_phone("2026-12-02T08:00:00-04:00"))
    _, staff = await b.user("ouvidor")
    url = f"/exports/meet/api/bookings/{data['protocol']}/outcome"
    missing = await b.client.post(url, json={"outcome": "cancelled_by_ouvidoria"}, headers=staff)
    assert missing.status_code == 422
    body = {"outcome": "cancelled_by_ouvidoria", "reason": "a servidora responsável adoeceu"}
    response = await b.client.post(url, json=body, headers=staff)
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled_by_ouvidoria"
    assert "2026-12-02T08:00:00-04:00" in await starts(b, "2026-12-02")
    assert google.events == {}
    await b.run_worker(rounds=3)
    told = [m for m in whatsapp.sent if "adoeceu" in m.text]
    assert len(told) == 1
    assert told[0].recipient == "5565999887766"
    code = {"X-Access-Code": data["access_code"]}
    seen = await b.client.get(f"{BOOKINGS}/{data['protocol']}", headers=code)
    assert seen.json()["status_label"] == "Cancelado pela ouvidoria"


async def test_the_agenda_form_records_an_outcome(make_meet) -> None:
    b = await make_meet()
    data = await book(b, booking("2026-12-01T14:00:00-04:00"))
    _, staff = await b.user("atendente")
    page = await b.client.get("/exports/meet/agenda", headers=staff)
    form = {"_csrf_token": csrf_token(page.text), "outcome": "attended", "period": "today"}
    response = await b.client.post(
        f"/exports/meet/agenda/{data['protocol']}", data=form, headers=staff, follow_redirects=False
    )
    assert response.status_code in (302, 303), response.text
    listing = (await b.client.get(AGENDA, headers=staff)).json()
    assert listing[0]["status"] == "attended"


async def test_archiving_the_manifestation_before_the_meeting_frees_the_slot(
    make_meet, google, google_config
) -> None:
    b = await make_meet(config=google_config)
    data = await book(b, booking("2026-12-02T08:00:00-04:00"))
    _, staff = await b.user("ouvidor")
    url = f"/api/v1/manifestations/{data['protocol']}/transitions"
    response = await b.client.post(
        url, json={"to": "archived", "reason": "duplicada"}, headers=staff
    )
    assert response.status_code in (200, 201), response.text
    await b.run_worker()  # the plugin hears of the closing from the worker
    assert "2026-12-02T08:00:00-04:00" in await starts(b, "2026-12-02")
    assert google.events == {}
    assert any("manifestação foi encerrada" in n for n in await notes(b, data["protocol"]))
