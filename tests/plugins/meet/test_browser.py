"""A citizen books in a real browser with JavaScript off: the page works through labels
alone and the strict CSP reports nothing (the distribution's Chromium, no download)."""

from __future__ import annotations

import asyncio
import importlib
import shutil
import socket
import subprocess
import sys
from types import ModuleType
from typing import Any

import pytest
import uvicorn

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def _playwright() -> ModuleType:
    """``playwright.async_api``; installed with uv when missing (it is in balcao-meet's dev
    group, which a plain ``uv sync`` of the workspace skips)."""
    try:
        return importlib.import_module("playwright.async_api")
    except ImportError:
        uv = shutil.which("uv")
        if uv is None:
            pytest.fail("playwright is missing: run 'uv sync --all-packages --all-groups'")
        command = [uv, "pip", "install", "--quiet", "--python", sys.executable, "playwright>=1.48"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.fail(f"could not install playwright: {done.stderr[-1000:]}")
        importlib.invalidate_caches()
        return importlib.import_module("playwright.async_api")


def _chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.fail("Chromium is missing: apt-get install -y chromium")
    return found


async def _serve(app: object) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))  # type: ignore[arg-type]
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.02)
    return server, task, f"http://127.0.0.1:{sock.getsockname()[1]}"


def _console(message: Any, problems: list[str]) -> None:
    # Failed loads are reported with their address by _response.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        problems.append(message.text)


def _response(response: Any, problems: list[str]) -> None:
    if response.status >= 400 and not response.url.endswith("/favicon.ico"):
        problems.append(f"{response.status} {response.url}")


async def test_booking_and_cancelling_without_javascript(make_meet) -> None:
    async_playwright = _playwright().async_playwright
    b = await make_meet()
    server, task, base = await _serve(b.app)
    problems: list[str] = []
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
            page = await (await browser.new_context(java_script_enabled=False)).new_page()
            page.on("console", lambda m: _console(m, problems))
            page.on("response", lambda r: _response(r, problems))
            await page.goto(base + "/")
            await page.get_by_role("link", name="Agendar").click()
            await page.get_by_role("link", name="quarta-feira, 02/12/2026").click()
            await page.get_by_label("08h00 às 08h30").check()
            await page.get_by_label("Nome").fill("Maria da Silva")
            await page.get_by_label("WhatsApp").fill("(65) 99988-7766")
            await page.get_by_label("Tipo de manifestação").select_option("elogio")
            await page.get_by_label("Conte em poucas palavras o assunto").fill("Quero elogiar.")
            await page.get_by_label("Li e concordo com o aviso de privacidade").check()
            await page.get_by_role("button", name="Agendar").click()
            await page.get_by_role("heading", name="Atendimento agendado").wait_for()
            text = await page.locator("main").inner_text()
            assert "quarta-feira, 02/12/2026 às 08h00 (horário de Cuiabá)" in text
            assert "https://meet.google.com/fix-ouvi-dor" in text
            protocol = await page.locator("dl.dados dd").nth(0).inner_text()
            code = await page.locator("dl.dados dd").nth(1).inner_text()
            await page.get_by_role("link", name="Cancelar ou remarcar").click()
            await page.get_by_label("Número do protocolo").fill(protocol)
            await page.get_by_label("Código de acesso").fill(code)
            await page.get_by_role("button", name="Continuar").click()
            await page.get_by_role("button", name="Cancelar o atendimento").click()
            await page.get_by_text("Atendimento cancelado.").wait_for()
            await browser.close()
    finally:
        server.should_exit = True
        await task
    assert problems == []
    found = await b.desk.verify_access(protocol, code)
    assert found is not None
    assert found.channel == "meet"
