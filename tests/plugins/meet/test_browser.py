"""A citizen books in a real browser with JavaScript off: the page works through labels
alone and the strict CSP reports nothing (the distribution's Chromium, no download)."""

from __future__ import annotations

from typing import Any

from playwright.async_api import async_playwright

from balcao.testing import launch_chromium, serve_in_loop


def _console(message: Any, problems: list[str]) -> None:
    # Failed loads are reported with their address by _response.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        problems.append(message.text)


def _response(response: Any, problems: list[str]) -> None:
    if response.status >= 400 and not response.url.endswith("/favicon.ico"):
        problems.append(f"{response.status} {response.url}")


async def test_booking_and_cancelling_without_javascript(make_meet) -> None:
    b = await make_meet()
    problems: list[str] = []
    async with serve_in_loop(b.app) as base, async_playwright() as pw:
        browser = await launch_chromium(pw)
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
    assert problems == []
    found = await b.desk.verify_access(protocol, code)
    assert found is not None
    assert found.channel == "meet"
