"""The staff workspace in a real browser (the distribution's Chromium through Playwright):
attendant finds, replies and forwards; the unit answers; the ouvidor sees the answer and
the audit trail. Screenshots go to test-output/staff-browser/."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Page, expect, sync_playwright

from balcao import Kind, NewManifestation, create_app, load_settings
from balcao.testing import TEST_SECRET, RecordingChannel

from .conftest import PASSWORD

OUTPUT = Path(__file__).resolve().parents[3] / "test-output" / "staff-browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(env: dict[str, str], *args: str, stdin: str = "") -> None:
    code = "from balcao.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'balcao.db'}"
    env = {
        **os.environ,
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
    port = _free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "the app did not start"
    yield f"http://127.0.0.1:{port}", receipt.protocol
    uv.should_exit = True
    thread.join(timeout=10)


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
    chromium = shutil.which("chromium")
    assert chromium, "Chromium is missing: install it with 'apt-get install -y chromium'"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
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
