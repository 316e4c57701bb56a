"""Reminders the day before and 15 minutes before, through the citizen's WhatsApp, once
each, and noted on the manifestation."""

from __future__ import annotations

import datetime as dt

from meet_support import BOOKINGS, book, booking, notes, with_phone

from balcao import OutboundMessage
from balcao.testing import RecordingChannel

SLOT = "2026-12-02T10:30:00-04:00"  # booked on Tuesday 10:00, 24h30 ahead


def sent(channel: RecordingChannel) -> list[OutboundMessage]:
    return [m for m in channel.sent if m.kind == "reminder"]


async def _setup(make_meet):
    whatsapp = RecordingChannel(name="whatsapp")
    b = await make_meet(plugins=[("whatsapp", whatsapp)])
    return b, whatsapp


async def test_day_before_and_fifteen_minutes_before_each_go_once(make_meet) -> None:
    b, whatsapp = await _setup(make_meet)
    data = await book(b, with_phone(SLOT))
    await b.run_worker(rounds=2)
    assert sent(whatsapp) == []  # not yet 24 hours before
    b.clock.set(dt.datetime(2026, 12, 1, 10, 31))
    await b.run_worker(rounds=3)
    assert len(sent(whatsapp)) == 1
    day = sent(whatsapp)[0]
    assert day.recipient == "5565999887766"
    assert day.kind == "reminder"
    assert "02/12/2026 às 10h30" in day.text
    assert "https://meet.google.com/fix-ouvi-dor" in day.text
    assert day.extra["template"] == "lembrete_atendimento"
    b.clock.set(dt.datetime(2026, 12, 2, 10, 16))
    await b.run_worker(rounds=3)
    b.clock.advance(minutes=6)
    await b.run_worker(rounds=3)
    assert len(sent(whatsapp)) == 2
    assert sent(whatsapp)[1].protocol == data["protocol"]
    staff_notes = await notes(b, data["protocol"])
    assert sum("Lembrete (véspera) enviado" in n for n in staff_notes) == 1
    _, staff = await b.user("atendente")
    agenda = await b.client.get("/exports/meet/agenda", headers=staff)
    assert "<td>véspera, 15 min</td>" in agenda.text
    assert sum("Lembrete (15 minutos antes) enviado" in n for n in staff_notes) == 1


async def test_a_booking_made_the_same_day_gets_only_the_last_reminder(make_meet) -> None:
    b, whatsapp = await _setup(make_meet)
    await book(b, with_phone("2026-12-01T14:00:00-04:00"))
    await b.run_worker(rounds=2)
    assert sent(whatsapp) == []
    b.clock.set(dt.datetime(2026, 12, 1, 13, 46))
    await b.run_worker(rounds=3)
    assert len(sent(whatsapp)) == 1
    assert "14h00" in sent(whatsapp)[0].text


async def test_a_moved_booking_is_reminded_of_its_new_time(make_meet) -> None:
    b, whatsapp = await _setup(make_meet)
    data = await book(b, with_phone(SLOT))
    b.clock.set(dt.datetime(2026, 12, 1, 10, 31))
    await b.run_worker(rounds=3)
    url, code = f"{BOOKINGS}/{data['protocol']}", {"X-Access-Code": data["access_code"]}
    moved = await b.client.patch(url, json={"start": "2026-12-03T11:00:00-04:00"}, headers=code)
    assert moved.status_code == 200
    b.clock.set(dt.datetime(2026, 12, 2, 11, 1))
    await b.run_worker(rounds=3)
    assert len(sent(whatsapp)) == 2
    assert "03/12/2026 às 11h00" in sent(whatsapp)[1].text


async def test_a_cancelled_booking_gets_no_reminder(make_meet) -> None:
    b, whatsapp = await _setup(make_meet)
    data = await book(b, with_phone(SLOT))
    url, code = f"{BOOKINGS}/{data['protocol']}", {"X-Access-Code": data["access_code"]}
    assert (await b.client.delete(url, headers=code)).status_code == 200
    b.clock.set(dt.datetime(2026, 12, 2, 10, 20))
    await b.run_worker(rounds=3)
    assert sent(whatsapp) == []


async def test_without_whatsapp_the_manifestation_says_no_reminder_went(make_meet) -> None:
    b, whatsapp = await _setup(make_meet)
    data = await book(b, booking(SLOT))  # e-mail only
    b.clock.set(dt.datetime(2026, 12, 2, 10, 20))
    await b.run_worker(rounds=3)
    assert sent(whatsapp) == []
    assert any("não enviado" in n and "e-mail" in n for n in await notes(b, data["protocol"]))
    b.clock.advance(minutes=6)
    await b.run_worker(rounds=3)
    found = [n for n in await notes(b, data["protocol"]) if "não enviado" in n]
    assert len(found) == 1  # said once, not at every pass
    _, staff = await b.user("atendente")
    agenda = await b.client.get("/exports/meet/agenda", headers=staff)
    assert "15 min (não enviado)" in agenda.text


async def test_without_the_whatsapp_plugin_the_reminder_is_noted_as_not_sent(make_meet) -> None:
    b = await make_meet()
    data = await book(b, with_phone(SLOT))
    b.clock.set(dt.datetime(2026, 12, 2, 10, 20))
    await b.run_worker(rounds=3)
    assert any("não está instalado" in n for n in await notes(b, data["protocol"]))


async def test_booking_and_moving_are_confirmed_on_whatsapp_once(make_meet) -> None:
    b, whatsapp = await _setup(make_meet)
    data = await book(b, with_phone(SLOT))
    await b.run_worker(rounds=2)
    await b.run_worker(rounds=2)
    confirmations = [m for m in whatsapp.sent if m.kind == "notification"]
    assert len(confirmations) == 1
    text = confirmations[0].text
    assert data["protocol"] in text
    assert "está marcado para quarta-feira, 02/12/2026 às 10h30" in text
    assert "https://meet.google.com/fix-ouvi-dor" in text
    assert "/channels/meet/gerenciar" in text
    url, code = f"{BOOKINGS}/{data['protocol']}", {"X-Access-Code": data["access_code"]}
    await b.client.patch(url, json={"start": "2026-12-03T11:00:00-04:00"}, headers=code)
    await b.run_worker(rounds=2)
    confirmations = [m for m in whatsapp.sent if m.kind == "notification"]
    assert len(confirmations) == 2
    assert "foi remarcado para quinta-feira, 03/12/2026 às 11h00" in confirmations[1].text
    assert sum("Confirmação enviada" in n for n in await notes(b, data["protocol"])) == 2
