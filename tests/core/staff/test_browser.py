"""The staff workspace in a real browser (the distribution's Chromium through Playwright):
attendant finds, replies and forwards; the unit answers; the ouvidor sees the answer and
the audit trail. Screenshots go to test-output/staff-browser/."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from balcao import Kind, NewManifestation, create_app, load_settings
from balcao.testing import (
    TEST_SECRET,
    LoopbackServer,
    RecordingChannel,
    launch_chromium,
    run_cli,
)

from .conftest import PASSWORD

OUTPUT = Path(__file__).resolve().parents[3] / "test-output" / "staff-browser"


def _cli(env: dict[str, str], *args: str, stdin: str = "") -> None:
    done = run_cli(*args, cwd=Path(env["BALCAO_FILES_DIR"]).parent, env=env, stdin=stdin)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'balcao.db'}"
    env = {
        "BALCAO_DATABASE_URL": url,
        "BALCAO_SECRET_KEY": TEST_SECRET,
        "BALCAO_CONFIG": os.devnull,
        "BALCAO_FILES_DIR": str(tmp_path / "files"),
    }
    _cli(env, "db", "upgrade")
    for email, role, unit in (
        ("ana@ufmt.br", "atendente", None),
        ("paulo@ufmt.br", "unidade", "PRAE"),
        ("olga@ufmt.br", "ouvidor", None),
    ):
        _cli(
            env,
            "users",
            "create",
            "--email",
            email,
            "--name",
            email.split("@")[0].title(),
            "--role",
            role,
            *(["--unit", unit] if unit else []),
            stdin=PASSWORD + "\n",
        )
    settings = load_settings(
        {},
        database_url=url,
        secret_key=TEST_SECRET,
        files_dir=str(tmp_path / "files"),
        public_url="http://127.0.0.1",
    )
    channel = RecordingChannel()
    setup = create_app(settings, plugins=[(channel.name, channel)], load_entrypoints=False)
    receipt = asyncio.run(
        setup.state.desk.intake(
            NewManifestation(
                kind=Kind.RECLAMACAO,
                channel=channel.name,
                subject="Refeição fria no RU",
                description="A refeição do restaurante universitário chegou fria três dias.",
            )
        )
    )
    app = create_app(settings, plugins=[(channel.name, channel)], load_entrypoints=False)
    with LoopbackServer(app, lifespan="on") as served:
        yield served.url, receipt.protocol


def _login(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/staff/entrar")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Caixa de entrada")).to_be_visible()


def _logout(page: Page) -> None:
    page.get_by_role("button", name="Sair").click()
    expect(page.get_by_role("heading", name="Entrar na área da equipe")).to_be_visible()


def test_attendant_unit_and_ouvidor_in_the_browser(server: tuple[str, str]) -> None:
    base, protocol = server
    OUTPUT.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on(
            "response",
            lambda r: (
                errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )
        _login(page, base, "ana@ufmt.br")
        page.get_by_label("Buscar (protocolo, assunto, texto)").fill("refeicao fria")
        page.get_by_role("button", name="Filtrar").click()
        expect(page.get_by_role("link", name=protocol)).to_be_visible()
        page.screenshot(path=str(OUTPUT / "inbox.png"), full_page=True)
        page.get_by_role("link", name=protocol).click()
        page.get_by_label("Responder ao manifestante").fill("Recebemos e vamos apurar com a PRAE.")
        page.get_by_role("button", name="Enviar resposta").click()
        expect(page.get_by_text("Resposta registrada")).to_be_visible()
        page.get_by_role("link", name="Encaminhar à unidade…").click()
        page.get_by_label("Unidade", exact=True).select_option("PRAE")
        page.get_by_label("Extrato que a unidade vai receber").fill(
            "Refeições frias no RU: verificar."
        )
        page.get_by_role("button", name="Encaminhar").click()
        expect(page.get_by_text("Manifestação encaminhada à unidade.")).to_be_visible()
        page.screenshot(path=str(OUTPUT / "manifestation.png"), full_page=True)
        _logout(page)

        _login(page, base, "paulo@ufmt.br")
        page.get_by_role("link", name=protocol).click()
        expect(page.get_by_text("Refeições frias no RU: verificar.")).to_be_visible()
        page.get_by_label("Resposta da unidade à ouvidoria").fill("Trocamos o equipamento térmico.")
        page.get_by_role("button", name="Enviar resposta à ouvidoria").click()
        expect(page.get_by_text("Resposta enviada à ouvidoria.")).to_be_visible()
        page.screenshot(path=str(OUTPUT / "unit.png"), full_page=True)
        _logout(page)

        _login(page, base, "olga@ufmt.br")
        page.get_by_role("link", name=protocol).click()
        expect(page.get_by_text("Trocamos o equipamento térmico.")).to_be_visible()
        page.get_by_role("link", name="Auditoria").click()
        page.get_by_label("Protocolo").fill(protocol)
        page.get_by_role("button", name="Filtrar").click()
        for action in ("Resposta ao manifestante", "Mudança de situação"):
            expect(page.get_by_role("cell", name=action, exact=True).first).to_be_visible()
        page.screenshot(path=str(OUTPUT / "audit.png"), full_page=True)
        browser.close()
    assert errors == [], errors
