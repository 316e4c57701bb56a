"""/transparencia: the figures of the last 24 months, as a page, CSV and JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest

from balcao import Attended, Kind, SurveyAnswer
from balcao.testing import Balcao

from .common import case_on

NOVEMBER = dt.date(2026, 11, 2)


def rated(attended: Attended, rating: int) -> SurveyAnswer:
    return SurveyAnswer(attended=attended, rating=rating, comment="texto que nunca é publicado")


@pytest.fixture
async def app(make_balcao: Any, recording_channel: Any) -> Balcao:
    """November 2026: 6 reclamações answered in 3 days (5 rated), 5 elogios answered in 10
    days, 2 denúncias; 8 still open; then today is 2026-12-01."""
    app: Balcao = await make_balcao(plugins=[("fake", recording_channel)])
    surveys = [
        rated(Attended.YES, 5),
        rated(Attended.YES, 5),
        rated(Attended.YES, 5),
        rated(Attended.PARTLY, 3),
        rated(Attended.NO, 1),
        None,
    ]
    for survey in surveys:
        await case_on(app, NOVEMBER, answer_after=3, survey=survey)
    for _ in range(5):
        await case_on(app, NOVEMBER, Kind.ELOGIO, answer_after=10)
    for _ in range(2):
        await case_on(app, NOVEMBER, Kind.DENUNCIA)
    app.clock.set(dt.datetime(2026, 12, 1, 10))
    return app


async def test_json_has_the_month_figures(app: Balcao) -> None:
    response = await app.client.get("/transparencia/dados.json")
    assert response.status_code == 200
    data = response.json()
    months = {m["mes"]: m for m in data["meses"]}
    assert list(months) == [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)]
    assert months["2026-11"] == {
        "mes": "2026-11",
        "manifestacoes": 13,
        "respondidas": 11,
        "respondidas_no_prazo_pct": 100.0,
        "dias_resposta_mediana": 3.0,
        "dias_resposta_p90": 10.0,
        "pesquisa_respostas": 5,
        "atendida_sim_pct": 60.0,
        "atendida_parcialmente_pct": 20.0,
        "atendida_nao_pct": 20.0,
        "satisfacao_media": 3.8,
    }
    assert months["2026-12"]["manifestacoes"] is None  # nothing yet: not shown as a number
    cells = {(c["dimensao"], c["rotulo"]): c["manifestacoes"] for c in data["categorias"]}
    assert cells == {
        ("tipo", "Reclamação"): 6,
        ("tipo", "Elogio"): 5,
        ("canal", "Canal de teste"): 11,
        ("unidade", "Sem unidade definida"): 11,
    }
    assert data["agora"] == {"abertas_agora": 8, "em_atraso_agora": None}


async def test_csv_files_have_the_documented_columns_and_the_same_figures(app: Balcao) -> None:
    monthly = await app.client.get("/transparencia/mensal.csv")
    assert monthly.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(monthly.content.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "mes",
        "manifestacoes",
        "respondidas",
        "respondidas_no_prazo_pct",
        "dias_resposta_mediana",
        "dias_resposta_p90",
        "pesquisa_respostas",
        "atendida_sim_pct",
        "atendida_parcialmente_pct",
        "atendida_nao_pct",
        "satisfacao_media",
    ]
    november = next(r for r in rows if r["mes"] == "2026-11")
    assert (november["manifestacoes"], november["satisfacao_media"]) == ("13", "3.8")
    assert next(r for r in rows if r["mes"] == "2026-12")["manifestacoes"] == ""
    cells = await app.client.get("/transparencia/categorias.csv")
    lines = cells.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "mes,dimensao,categoria,rotulo,manifestacoes"
    assert "2026-11,tipo,reclamacao,Reclamação,6" in lines


async def test_page_has_charts_with_summaries_and_data_tables(app: Balcao) -> None:
    page = await app.client.get("/transparencia")
    assert page.status_code == 200
    html = page.text
    assert html.count('<svg role="img"') == 7
    assert html.count("<summary>Tabela de dados") == 7
    assert "Manifestações por mês: maior valor 13 (nov/2026)" in html
    assert "Satisfação média (1 a 5): maior valor 3,8 (nov/2026)" in html
    assert "Respondidas no prazo legal: maior valor 100%" in html
    assert 'href="/transparencia/dados.json"' in html
    assert "texto que nunca é publicado" not in html
    assert "2026-0000" not in html  # no protocol


async def test_no_login_and_the_files_are_cacheable(app: Balcao) -> None:
    for path in ("/transparencia", "/transparencia/dados.json", "/transparencia/mensal.csv"):
        response = await app.client.get(path, follow_redirects=False)
        assert response.status_code == 200
        # the page itself follows the visitor's contrast cookie: no shared caching
        assert ("max-age" in response.headers.get("cache-control", "")) == (
            path != "/transparencia"
        )
