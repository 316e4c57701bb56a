"""Bad input gets an answer a person can act on: a 4xx naming the field, never a 500 or a
body cut half-way; a command line refuses it in one line with exit status 2."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from balcao.testing import Balcao

from ..test_cli import one_line_error, run
from .conftest import APP_SECRET


async def _refused(balcao: Balcao, url: str, role: str = "ouvidor") -> str:
    _, auth = await balcao.user(role)
    answer = await balcao.client.get(url, headers=auth)
    assert 400 <= answer.status_code < 500, (url, answer.status_code, answer.text[:300])
    return answer.text


@pytest.mark.parametrize(
    "query",
    [
        "page=4611686018427387904",
        "page=0",
        "page=-3",
        "per_page=100000000000000000000",
        "page=1e20",
    ],
)
async def test_api_paging_out_of_range_is_a_400(full: Balcao, query: str) -> None:
    text = await _refused(full, f"/api/v1/manifestations?{query}")
    assert "page" in text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("pagina=1e20", "pagina"),
        ("pagina=4611686018427387904", "pagina"),
        ("vence_em=amanhã", "vence_em"),
        ("vence_em=99999999999999999999", "vence_em"),
        ("responsavel=fulano", "responsavel"),
        ("responsavel=99999999999999999999", "responsavel"),
    ],
)
async def test_inbox_filters_out_of_range_are_a_400_page(
    full: Balcao, query: str, field: str
) -> None:
    text = await _refused(full, f"/staff?{query}")
    assert field in text and "Pedido inválido" in text


async def test_inbox_keeps_the_words_it_understands(full: Balcao) -> None:
    _, auth = await full.user("ouvidor")
    for query in ("responsavel=eu", "responsavel=ninguem", "vence_em=3", "pagina=2", "pagina="):
        answer = await full.client.get(f"/staff?{query}", headers=auth)
        assert answer.status_code == 200, (query, answer.text[:300])


@pytest.mark.parametrize(
    "url",
    [
        "/staff/relatorios?ano=99999",
        "/staff/relatorios?ano=-1",
        "/staff/relatorios.csv?ano=-1",
        "/staff/relatorios.csv?ano=99999",
        "/staff/relatorios.csv?ano=dois-mil",
    ],
)
async def test_report_years_out_of_range_are_a_400(full: Balcao, url: str) -> None:
    assert "ano" in await _refused(full, url)


async def test_report_of_a_real_year_still_works(full: Balcao) -> None:
    _, auth = await full.user("ouvidor")
    answer = await full.client.get("/staff/relatorios.csv?ano=2026", headers=auth)
    assert answer.status_code == 200 and "manifestações" in answer.text


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-13-01"])
async def test_meet_slots_far_dates_are_a_400_for_anyone(full: Balcao, day: str) -> None:
    answer = await full.client.get(f"/channels/meet/api/slots?from={day}")
    assert answer.status_code == 400, answer.text
    assert "from" in answer.json()["detail"]


@pytest.mark.parametrize("reason", ["", "   "])
async def test_identity_without_reason_is_refused_and_not_logged(full: Balcao, reason: str) -> None:
    protocol = (await full.manifestation(kind="denuncia")).protocol
    _, auth = await full.user("ouvidor")
    answer = await full.client.post(
        f"/api/v1/manifestations/{protocol}/identity", json={"reason": reason}, headers=auth
    )
    assert answer.status_code == 400, answer.text
    assert "motivo" in answer.text or "reason" in answer.text
    log = await full.client.get("/api/v1/audit", params={"protocol": protocol}, headers=auth)
    assert [e["action"] for e in log.json() if e["action"] == "identity_view"] == []


@pytest.mark.parametrize("body", [b"isto nao e json", b'{"entry": [', b"\xff\xfe\x00"])
async def test_signed_whatsapp_webhook_that_is_not_json_is_a_400(full: Balcao, body: bytes) -> None:
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    answer = await full.client.post(
        "/channels/whatsapp/webhook",
        content=body,
        headers={"content-type": "application/json", "x-hub-signature-256": signature},
    )
    assert answer.status_code == 400, answer.text
    assert "corpo" in answer.json()["detail"]


@pytest.mark.parametrize(
    "query", ["from=2026-01-01&to=9999-12-31", "from=0001-01-01&to=2026-01-01", "from=x&to=y"]
)
async def test_falabr_report_with_far_dates_is_refused_before_any_byte(
    full: Balcao, query: str
) -> None:
    _, auth = await full.user("ouvidor")
    answer = await full.client.get(f"/exports/falabr_export/report?{query}", headers=auth)
    assert answer.status_code == 422, answer.text
    assert "from" in answer.json()["detail"] or "to" in answer.json()["detail"]


def test_falabr_export_with_a_far_date_is_one_line(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "export",
        "falabr",
        "--from",
        "2026-01-01",
        "--to",
        "9999-12-31",
        "--format",
        "csv",
        BALCAO_DISABLE_PLUGINS="webform,whatsapp,meet",
    )
    line = one_line_error(result)
    assert "--to" in line and "2999-12-31" in line


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("mysql+nada://u@localhost/x", "postgresql+asyncpg://"),
        ("postgresql://postgres@127.0.0.1:5432/x", "postgresql+asyncpg://"),
        ("postgresql+asyncpg://postgres@127.0.0.1:9/x", "127.0.0.1:9"),
        ("isto-nao-e-url", "sqlite+aiosqlite:///"),
    ],
)
def test_serve_with_a_bad_database_url_is_one_line(tmp_path: Path, url: str, hint: str) -> None:
    result = run(tmp_path, "serve", "--port", "9", BALCAO_DATABASE_URL=url)
    line = one_line_error(result)
    assert "BALCAO_DATABASE_URL" in line and hint in line
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("event_id", ["a" * 300, "wamid\x00nul"])
async def test_an_inbound_id_that_does_not_fit_is_still_stored_once(
    full: Balcao, event_id: str
) -> None:
    event = {"id": event_id, "sender": "+5565999990000", "text": "Olá"}
    first = await full.client.post("/channels/fake/inbound", json=event)
    again = await full.client.post("/channels/fake/inbound", json=event)
    assert (first.status_code, again.status_code) == (200, 200), first.text
    assert (first.json()["stored"], again.json()["stored"]) == (True, False)


async def test_a_nul_character_in_a_citizens_text_is_never_a_server_error(full: Balcao) -> None:
    body = {
        "kind": "reclamacao",
        "subject": "Assunto\x00",
        "description": "Texto com\x00 caractere nulo",
        "anonymous": False,
        "citizen": {"name": "Ana\x00", "email": "ana@example.org"},
        "consent": True,
    }
    answer = await full.client.post("/channels/webform/api/manifestations", json=body)
    assert answer.status_code in (201, 422), answer.text
    assert "INSERT" not in answer.text and "\\u0000" not in answer.text
