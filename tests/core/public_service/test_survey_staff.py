"""Staff see the answer on the case page (not a unit) and rates in the yearly reports."""

from __future__ import annotations

from typing import Any

import pytest

from balcao import Attended, Kind, SurveyAnswer
from balcao.testing import Balcao

from .common import concluded, staff_login


@pytest.fixture
async def app(make_balcao: Any, recording_channel: Any) -> Balcao:
    return await make_balcao(plugins=[("fake", recording_channel)])


async def answered(app: Balcao, attended: Attended, rating: int, **fields: Any) -> str:
    receipt = await concluded(app, **fields)
    answer = SurveyAnswer(attended=attended, rating=rating, comment=f"nota {rating} dada")
    await app.desk.answer_survey(receipt.protocol, answer, "tracking")
    return receipt.protocol


async def test_case_page_shows_the_answer_to_staff(app: Balcao) -> None:
    protocol = await answered(app, Attended.PARTLY, 3)
    await staff_login(app, "atendente")
    page = await app.client.get(f"/staff/manifestacoes/{protocol}")
    assert "Pesquisa de satisfação" in page.text
    assert "Parcialmente" in page.text and "3 de 5" in page.text and "nota 3 dada" in page.text


async def test_unit_member_never_sees_the_answer(app: Balcao) -> None:
    ouvidor, _ = await app.user("ouvidor")
    receipt = await app.manifestation()
    await app.desk.forward(receipt.protocol, "PRAE", "Extrato para a unidade", ouvidor)
    await staff_login(app, "unidade", unit="PRAE")
    page = await app.client.get(f"/staff/manifestacoes/{receipt.protocol}")
    assert page.status_code == 200
    assert "Pesquisa de satisfação" not in page.text


async def test_reports_show_rates_by_kind_channel_unit_and_month(app: Balcao) -> None:
    await answered(app, Attended.YES, 5)
    await answered(app, Attended.NO, 1)
    await answered(app, Attended.YES, 4, kind=Kind.ELOGIO)
    await staff_login(app, "auditor")
    page = await app.client.get("/staff/relatorios?ano=2026")
    assert page.status_code == 200
    section = page.text[page.text.index("Pesquisa de satisfação 2026") :]
    for caption in ("Por tipo", "Por canal", "Por unidade", "Por mês"):
        assert f"<caption>{caption}</caption>" in section
    # Reclamação: 2 answers, half "sim", mean 3.0; Elogio: 1 answer, mean 4.0
    assert '<th scope="row">Reclamação</th><td>2</td><td>50.0%</td>' in section
    assert "<td>3.0</td>" in section and "<td>4.0</td>" in section
    assert '<th scope="row">dez</th><td>3</td>' in section
    assert "nota 5 dada" not in page.text and "2026-" not in section
