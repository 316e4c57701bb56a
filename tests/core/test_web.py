"""Citizen pages, health, OpenAPI and security headers."""

import datetime as dt
import threading

from balcao.testing import Balcao


async def test_home_says_open_now_and_shows_channel_cards(balcao: Balcao) -> None:
    page = await balcao.client.get("/")
    assert page.status_code == 200
    assert "Atendimento aberto agora" in page.text
    assert "Canal de teste" in page.text and 'href="/channels/fake/"' in page.text
    assert 'href="/acompanhar"' in page.text and "falabr.cgu.gov.br" in page.text


async def test_home_when_closed_says_when_it_opens_next(balcao: Balcao) -> None:
    balcao.clock.set(dt.datetime(2026, 12, 24, 18, 0))
    page = await balcao.client.get("/")
    assert "Atendimento fechado agora" in page.text
    assert "segunda-feira, 28/12/2026 às 07h30" in page.text


async def test_home_without_channels(make_balcao) -> None:  # type: ignore[no-untyped-def]
    b = await make_balcao()
    assert "Nenhum canal de atendimento" in (await b.client.get("/")).text


async def test_health_answers_ok_with_a_live_database(balcao: Balcao) -> None:
    response = await balcao.client.get("/health")
    assert response.json()["status"] == "ok"


async def test_health_is_liveness_and_ready_reports_a_lost_db(balcao: Balcao, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from balcao._db.engine import Database

    working, before = balcao.desk.database, set(threading.enumerate())
    balcao.desk.database = Database(f"sqlite+aiosqlite:///{tmp_path}/missing/nowhere.db")
    try:
        live = await balcao.client.get("/health")
        ready = await balcao.client.get("/ready")
    finally:
        await balcao.desk.database.dispose()
        balcao.desk.database = working
    # aiosqlite's thread for the failed connection reports to this loop: let it finish
    # before the test's loop closes
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=5)
    # the process serves: a liveness probe must not restart it for the database's outage
    assert live.status_code == 200
    assert ready.status_code == 503
    assert ready.json()["reasons"] == ["o banco de dados não responde"]


async def test_openapi_documents_the_api(balcao: Balcao) -> None:
    schema = (await balcao.client.get("/schema/openapi.json")).json()
    paths = set(schema["paths"])
    assert {
        "/health",
        "/api/v1/tracking",
        "/api/v1/manifestations",
        "/api/v1/manifestations/{protocol}/transitions",
        "/api/v1/plugins",
    } <= paths


async def test_security_headers_on_every_page(balcao: Balcao) -> None:
    for path in ("/", "/acompanhar", "/health", "/api/v1/manifestations", "/nao-existe"):
        headers = (await balcao.client.get(path)).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


async def test_static_stylesheet_is_served(balcao: Balcao) -> None:
    response = await balcao.client.get("/static/balcao.css")
    assert response.status_code == 200 and "text/css" in response.headers["content-type"]


async def test_allowed_hosts_refuse_other_hosts(make_balcao) -> None:  # type: ignore[no-untyped-def]
    b = await make_balcao(settings={"allowed_hosts": ["balcao.ufmt.br"]})
    refused = await b.client.get("/health")
    allowed = await b.client.get("/health", headers={"Host": "balcao.ufmt.br"})
    assert (refused.status_code, allowed.status_code) == (400, 200)
