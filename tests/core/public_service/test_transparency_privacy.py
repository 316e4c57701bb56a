"""The transparency figures hide every small cell, even from someone who knows a case and
combines filters, files and cells; and a crawler cannot make them load the database."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from sqlalchemy import event

from balcao import Kind
from balcao.testing import Balcao, RecordingChannel

from .common import case_on

RARE = ("RARA", "Unidade Rara", "raro", "Canal raro", "Elogio", "Solicitação", "solicitacao")
FILTERS = [
    {},
    {"unidade": "RARA"},
    {"canal": "raro", "tipo": "elogio"},
    {"mes": "2026-11", "dimensao": "unidade", "categoria": "RARA"},
    {"de": "2026-11-01", "ate": "2026-11-30"},
]
FILES = ("/transparencia/dados.json", "/transparencia/mensal.csv", "/transparencia/categorias.csv")


@pytest.fixture
async def app(make_balcao: Any, recording_channel: RecordingChannel) -> Balcao:
    """November: 7 reclamações on the test channel and one elogio that a single person could
    be recognised by (its own channel, its own unit), plus 2 denúncias sent to that unit.
    October: 3 solicitações only."""
    rare = RecordingChannel(name="raro")
    app: Balcao = await make_balcao(plugins=[("fake", recording_channel), ("raro", rare)])
    ouvidor, headers = await app.user("ouvidor")
    unit = {"code": "RARA", "name": "Unidade Rara", "email": "rara@example.org"}
    assert (await app.client.post("/api/v1/units", json=unit, headers=headers)).status_code < 300
    for _ in range(7):
        await case_on(app, dt.date(2026, 11, 3))
    single = await case_on(app, dt.date(2026, 11, 4), Kind.ELOGIO, channel="raro")
    await app.desk.forward(single, "RARA", "extrato", ouvidor)
    for _ in range(2):
        denuncia = await case_on(app, dt.date(2026, 11, 5), Kind.DENUNCIA)
        await app.desk.forward(denuncia, "RARA", "extrato", ouvidor)
    for _ in range(3):
        await case_on(app, dt.date(2026, 10, 6), Kind.SOLICITACAO)
    app.clock.set(dt.datetime(2026, 12, 1, 10))
    return app


async def test_no_combination_of_filters_or_cells_reveals_the_single_case(app: Balcao) -> None:
    answers = set()
    for path in (*FILES, "/transparencia"):
        for params in FILTERS:
            response = await app.client.get(path, params=params)
            assert response.status_code == 200
            text = response.content.decode("utf-8-sig")
            for word in RARE:
                assert word not in text, (path, params, word)
            answers.add((path, text))
    assert len(answers) == len(FILES) + 1  # filters change nothing: there is nothing to combine
    data = json.loads(dict(answers)["/transparencia/dados.json"])
    cells = data["categorias"]
    assert cells and all(c["manifestacoes"] >= 5 for c in cells)
    months = {m["mes"]: m for m in data["meses"]}
    for month in {c["mes"] for c in cells}:
        # each dimension adds up to the same public total: no subtraction across tables
        sums = {
            d: sum(c["manifestacoes"] for c in cells if (c["mes"], c["dimensao"]) == (month, d))
            for d in ("tipo", "canal", "unidade")
        }
        assert len(set(sums.values())) == 1
        hidden = months[month]["manifestacoes"] - sums["tipo"]
        assert hidden == 2  # the denúncias: in the total, never in a category
    november = [c for c in cells if c["mes"] == "2026-11"]
    assert {(c["dimensao"], c["categoria"], c["manifestacoes"]) for c in november} == {
        ("tipo", "outros", 8),
        ("canal", "outros", 8),
        ("unidade", "outros", 8),
    }
    assert months["2026-10"]["manifestacoes"] is None
    assert not [c for c in cells if c["mes"] == "2026-10"]
    for value in months["2026-10"].values():
        assert value in (None, "2026-10")


async def test_every_published_number_rests_on_five_or_more(app: Balcao) -> None:
    monthly = await app.client.get("/transparencia/mensal.csv")
    for row in csv.DictReader(io.StringIO(monthly.content.decode("utf-8-sig"))):
        for column in ("manifestacoes", "respondidas", "pesquisa_respostas"):
            assert row[column] == "" or int(row[column]) >= 5


async def test_a_thousand_requests_run_a_handful_of_queries(app: Balcao) -> None:
    statements: list[str] = []
    database = app.desk.database
    engines = {database.engine.sync_engine, database._write_engine.sync_engine}

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        paths = [*FILES, "/transparencia"]
        for i in range(1000):
            response = await app.client.get(paths[i % 4], params={"n": str(i)})
            assert response.status_code == 200
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)
    assert 1 <= len(statements) <= 5, statements
