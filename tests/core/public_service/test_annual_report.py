"""The annual management report: figures equal the database's, the ouvidor's sections,
HTML and PDF, on the staff pages and on the command line."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from balcao import Attended, Kind, SurveyAnswer
from balcao.testing import Balcao

from .common import case_on, csrf, staff_login


@pytest.fixture
async def app(make_balcao: Any, recording_channel: Any) -> Balcao:
    """2026: October 5 sugestões and 1 solicitação; November 6 reclamações (5 rated) and 5
    elogios, 2 denúncias; a 2025 case that must not count."""
    app: Balcao = await make_balcao(plugins=[("fake", recording_channel)])
    await case_on(app, dt.date(2025, 12, 2), answer_after=1)
    for _ in range(5):
        await case_on(app, dt.date(2026, 10, 5), Kind.SUGESTAO, answer_after=20)
    await case_on(app, dt.date(2026, 10, 6), Kind.SOLICITACAO)
    for rating in (5, 4, 4, 2, 1, None):
        survey = SurveyAnswer(attended=Attended.YES, rating=rating) if rating else None
        await case_on(app, dt.date(2026, 11, 3), answer_after=2, survey=survey)
    for _ in range(5):
        await case_on(app, dt.date(2026, 11, 4), Kind.ELOGIO, answer_after=5)
    for _ in range(2):
        await case_on(app, dt.date(2026, 11, 5), Kind.DENUNCIA)
    app.clock.set(dt.datetime(2026, 12, 1, 10))
    return app


async def scalar(app: Balcao, sql: str) -> Any:
    async with app.desk.database.read() as session:
        return (await session.execute(text(sql))).scalar_one()


async def test_figures_equal_the_database(app: Balcao) -> None:
    from balcao._annual.figures import annual_figures

    f = await annual_figures(app.desk, 2026)
    of_2026 = "FROM manifestations WHERE year = 2026"
    assert f.total == await scalar(app, f"SELECT count(*) {of_2026}") == 19
    assert f.whistleblowing == await scalar(
        app, f"SELECT count(*) {of_2026} AND kind IN ('denuncia', 'comunicacao')"
    )
    kinds = dict(f.by_dimension["tipo"])
    for kind, label in ((Kind.RECLAMACAO, "Reclamação"), (Kind.ELOGIO, "Elogio")):
        assert kinds[label] == await scalar(app, f"SELECT count(*) {of_2026} AND kind = '{kind}'")
    # October's small solicitação took the sugestões with it into "Outros"
    assert kinds["Outros"] == 6 and sum(kinds.values()) == f.total - f.whistleblowing
    answered = await scalar(
        app,
        "SELECT count(DISTINCT t.manifestation_id) FROM transitions t JOIN manifestations m "
        "ON m.id = t.manifestation_id WHERE m.year = 2026 AND t.target = 'answered'",
    )
    assert f.timeliness.answered == answered == 16
    assert f.satisfaction.answers == await scalar(app, "SELECT count(*) FROM survey_answers")
    mean = await scalar(app, "SELECT avg(rating) FROM survey_answers")
    assert f.satisfaction.mean_rating == round(float(mean), 2) == 3.2
    assert f.timeliness.median_days == 5.0 and f.timeliness.p90_days == 20.0


async def test_ouvidor_writes_the_sections_others_read(app: Balcao) -> None:
    await staff_login(app, "ouvidor")
    page = await app.client.get("/staff/relatorio-anual?ano=2026")
    assert page.status_code == 200
    assert "Relatório anual de gestão 2026" in page.text and 'name="problems"' in page.text
    sent = await app.client.post(
        "/staff/relatorio-anual?ano=2026",
        data={
            "problems": "Demora nas respostas do RU.",
            "measures": "Reunião mensal com a PRAE.",
            "_csrf_token": await csrf(app, "/staff/relatorio-anual"),
        },
    )
    assert sent.status_code == 200 and "Seções do ouvidor salvas" in sent.text
    assert "Demora nas respostas do RU." in sent.text
    document = await app.client.get("/staff/relatorio-anual.html?ano=2026")
    assert document.headers["content-disposition"].endswith('relatorio-anual-2026.html"')
    for words in ("Reunião mensal com a PRAE.", "<strong>19</strong>", "<style>"):
        assert words in document.text
    assert "<strong>3.2</strong> de 5" in document.text
    await app.client.post("/staff/sair", data={"_csrf_token": await csrf(app, "/staff/conta")})
    await staff_login(app, "auditor")
    read = await app.client.get("/staff/relatorio-anual?ano=2026")
    assert "Reunião mensal com a PRAE." in read.text and 'name="problems"' not in read.text
    refused = await app.client.post(
        "/staff/relatorio-anual?ano=2026",
        data={"problems": "x", "measures": "y", "_csrf_token": await csrf(app, "/staff/conta")},
        follow_redirects=False,
    )
    assert refused.status_code in (403, 404)


async def test_pdf_from_the_staff_page(app: Balcao) -> None:
    pytest.importorskip("weasyprint")
    await staff_login(app, "atendente")
    response = await app.client.get("/staff/relatorio-anual.pdf?ano=2026")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def run_cli(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BALCAO_")} | env
    environ.update(
        BALCAO_DISABLE_PLUGINS="webform,whatsapp,meet,falabr_export", BALCAO_SECRET_KEY="k" * 40
    )
    return subprocess.run(
        [sys.executable, "-m", "balcao", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_command_line_html_pdf_and_bad_input(tmp_path: Path) -> None:
    html = run_cli(tmp_path, "report", "annual", "--year", "2026")
    assert html.returncode == 0, html.stderr
    assert (
        html.stdout.startswith("<!doctype html>")
        and "Relatório anual de gestão 2026" in html.stdout
    )
    if _has_weasyprint():
        pdf = run_cli(
            tmp_path, "report", "annual", "--year", "2026", "--format", "pdf", "-o", "r.pdf"
        )
        assert pdf.returncode == 0, pdf.stderr
        assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    bad = run_cli(tmp_path, "report", "annual", "--year", "dois mil")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    no_file = run_cli(tmp_path, "report", "annual", "--year", "2026", "--format", "pdf")
    assert no_file.returncode == 2 and "-o" in no_file.stderr


def test_pdf_without_the_system_libraries_says_what_to_install(tmp_path: Path) -> None:
    # stands in for WeasyPrint on a machine without Pango: importing it fails as it would
    fake = tmp_path / "site"
    fake.mkdir()
    (fake / "weasyprint.py").write_text("raise OSError(\"cannot load library 'libpango-1.0-0'\")\n")
    result = run_cli(
        tmp_path,
        "report",
        "annual",
        "--year",
        "2026",
        "--format",
        "pdf",
        "-o",
        "r.pdf",
        PYTHONPATH=str(fake),
    )
    assert result.returncode == 2
    message = result.stderr.strip().splitlines()
    assert len(message) == 1 and "balcao[pdf]" in message[0] and "libpango" in message[0]
    assert not (tmp_path / "r.pdf").exists()


def _has_weasyprint() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True
