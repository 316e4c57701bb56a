"""The periodic job reads situação and deadline by NUP; failures back off per NUP."""

from __future__ import annotations

from balcao.testing import Balcao

from .common import new_case, register, status
from .fake_meouv import FakeMeOuv


async def timeline_text(app: Balcao, protocol: str) -> str:
    _, headers = await app.user("ouvidor")
    response = await app.client.get(f"/api/v1/manifestations/{protocol}", headers=headers)
    return " | ".join(entry["text"] for entry in response.json()["timeline"])


async def test_situation_and_deadline_are_shown(app: Balcao, meouv: FakeMeOuv) -> None:
    protocol = await new_case(app)
    assert (await register(app, protocol)).status_code == 201
    await app.run_worker()
    assert (await status(app, protocol)).json()["situation"] is None  # not due yet
    app.clock.advance(hours=6, minutes=1)
    await app.run_worker()
    body = (await status(app, protocol)).json()
    assert body["situation"] == "Cadastrada"
    assert body["deadline"] == "2026-12-31"
    nup = meouv.stored[0]["NumerosProtocolo"][0]
    assert ("GET", "/api/manifestacoes", {"NumProtocolo": [nup]}) in meouv.requests
    meouv.set_situation(nup, "Prorrogada", "30/01/2027")
    app.clock.advance(hours=6, minutes=1)
    await app.run_worker()
    body = (await status(app, protocol)).json()
    assert (body["situation"], body["deadline"]) == ("Prorrogada", "2027-01-30")
    assert 'Fala.BR: situação "Prorrogada", prazo 30/01/2027.' in await timeline_text(app, protocol)


async def test_concluded_manifestations_stop_being_polled(app: Balcao, meouv: FakeMeOuv) -> None:
    protocol = await new_case(app)
    await register(app, protocol)
    meouv.set_situation(meouv.stored[0]["NumerosProtocolo"][0], "Concluída", "31/12/2026")
    app.clock.advance(hours=6, minutes=1)
    await app.run_worker()
    asked = len(meouv.requests)
    app.clock.advance(days=3)
    await app.run_worker(rounds=3)
    assert len(meouv.requests) == asked
    assert (await status(app, protocol)).json()["situation"] == "Concluída"


async def test_a_failing_query_backs_off_without_blocking_others(
    app: Balcao, meouv: FakeMeOuv
) -> None:
    first, second = await new_case(app), await new_case(app)
    await register(app, first)
    await register(app, second)
    meouv.script("query", 500)
    app.clock.advance(hours=6, minutes=1)
    await app.run_worker()
    bodies = [(await status(app, p)).json() for p in (first, second)]
    failed = [b for b in bodies if b["situation"] is None]
    assert len(failed) == 1
    assert "500" in failed[0]["last_error"]
    assert [b["situation"] for b in bodies if b is not failed[0]] == ["Cadastrada"]
    app.clock.advance(hours=6, minutes=1)
    await app.run_worker()
    retried = (await status(app, failed[0]["protocol"])).json()
    assert retried["situation"] is None  # backed off: 12 h, not 6 h
    app.clock.advance(hours=6)
    await app.run_worker()
    assert (await status(app, failed[0]["protocol"])).json()["situation"] == "Cadastrada"
