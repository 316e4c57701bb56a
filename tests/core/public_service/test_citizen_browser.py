"""Every citizen page in the distribution's Chromium at 1280 px and at 390 px (a phone): no
sideways scrolling, no serious or critical axe-core violation; radio buttons and checkboxes
beside their labels; the receipt's copy button and print layout; the protocol field's
pattern; screenshots in test-output/citizen."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.async_api import Page, async_playwright

import balcao_meet
import balcao_webform
import balcao_whatsapp
from balcao import IncomingFile
from balcao.testing import Balcao, launch_chromium

from .common import concluded

ROOT = Path(__file__).resolve().parents[3]
AXE = ROOT / "tests" / ".vendor" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "test-output" / "citizen"
WIDTHS = (1280, 390)
PAGES = {
    "inicio": "/",
    "acompanhar": "/acompanhar",
    "formulario": "/channels/webform/",
    "video": "/channels/meet/?dia=2026-12-02",
    "video-gerenciar": "/channels/meet/gerenciar",
    "transparencia": "/transparencia",
    "acessibilidade": "/acessibilidade",
    "nao-encontrada": "/nao-existe",
}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
async def site(make_balcao: Any) -> AsyncIterator[tuple[Balcao, str]]:
    assert AXE.exists(), (
        "axe-core is missing: npm install --prefix tests/.vendor axe-core@4.14.1 (.ci/run does it)"
    )
    plugins = {
        "webform": {"min_fill_seconds": 0},
        "meet": {"fallback_link": "https://meet.google.com/fix-ouvi-dor"},
        "whatsapp": {"display_number": "(65) 3313-7210"},
    }
    b = await make_balcao(
        plugins=[
            ("webform", balcao_webform),
            ("meet", balcao_meet),
            ("whatsapp", balcao_whatsapp),
        ],
        settings={"plugins": plugins, "ouvidoria_name": "Ouvidoria-Geral da UFMT"},
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(b.app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.02)
    try:
        yield b, f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


async def _open(width: int) -> tuple[Any, Any, Page]:
    pw = await async_playwright().start()
    browser = await launch_chromium(pw)
    context = await browser.new_context(locale="pt-BR", viewport={"width": width, "height": 900})
    return pw, browser, await context.new_page()


async def _serious(page: Page) -> list[str]:
    # evaluated through the debugging protocol: the page's CSP does not apply to it
    await page.evaluate(AXE.read_text())
    result: dict[str, Any] = await page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {len(v['nodes'])}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


_WIDEST = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
  .slice(-3).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' '
                  + Math.round(e.getBoundingClientRect().right))"""


async def _check(page: Page, name: str, width: int, found: dict[str, Any]) -> None:
    """Sideways scrolling and axe-core on the page as it is now; a screenshot."""
    wide = await page.evaluate("document.documentElement.scrollWidth")
    if wide > width:
        found[f"{name}@{width}: {wide} px wide"] = await page.evaluate(_WIDEST)
    violations = await _serious(page)
    if violations:
        found[f"{name}@{width}"] = violations
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


async def test_every_citizen_page_fits_a_phone_and_passes_axe(site: tuple[Balcao, str]) -> None:
    b, base = site
    receipt = await b.manifestation(
        subject="Fila do restaurante", files=(IncomingFile(filename="nota.pdf", content=PDF),)
    )
    survey = await concluded(b, subject="Atendimento concluído")
    found: dict[str, Any] = {}
    for width in WIDTHS:
        pw, browser, page = await _open(width)
        try:
            for name, path in PAGES.items():
                await page.goto(base + path)
                await _check(page, name, width, found)
            await page.goto(base + "/channels/webform/")
            await page.get_by_role("button", name="Enviar manifestação").click()
            await page.get_by_text("Não foi possível enviar").wait_for()
            await _check(page, "formulario-erros", width, found)
            await _track(page, base, receipt.protocol.replace("-", ""), receipt.access_code)
            await _check(page, "acompanhar-resultado", width, found)
            await _track(page, base, survey.protocol, survey.access_code, "Pesquisa de satisfação")
            await _check(page, "acompanhar-pesquisa", width, found)
        finally:
            await browser.close()
            await pw.stop()
    assert found == {}


async def _track(
    page: Page, base: str, protocol: str, code: str | None, shows: str = "Prazo para resposta"
) -> None:
    await page.goto(base + "/acompanhar")
    await page.get_by_label("Número do protocolo").fill(protocol)
    await page.get_by_label("Código de acesso").fill(code or "")
    await page.get_by_role("button", name="Consultar").click()
    await page.get_by_role("heading", name=shows).or_(page.get_by_text(shows)).first.wait_for()


async def _beside(page: Page, box: str, text: str) -> list[str]:
    """How far each control sits from its label's text (empty when every one is beside it)."""
    pairs: list[dict[str, float]] = await page.evaluate(
        """([box, text]) => Array.from(document.querySelectorAll(box)).map(b => {
             const input = b.querySelector('input').getBoundingClientRect();
             const label = b.querySelector(text).getBoundingClientRect();
             return {gap: label.left - input.right,
                     rise: Math.abs((label.top + Math.min(label.height, 30) / 2)
                                    - (input.top + input.height / 2))};
           })""",
        [box, text],
    )
    assert pairs, f"no {box} on the page"
    return [
        f"{box}: gap {p['gap']:.0f}, rise {p['rise']:.0f}"
        for p in pairs
        if not (0 <= p["gap"] <= 16 and p["rise"] <= 12)
    ]


async def test_booking_controls_sit_beside_their_labels(site: tuple[Balcao, str]) -> None:
    _, base = site
    far: list[str] = []
    for width in WIDTHS:
        pw, browser, page = await _open(width)
        try:
            await page.goto(base + PAGES["video"])
            far += [f"{width}: {f}" for f in await _beside(page, "label.horario", "span")]
            far += [f"{width}: {f}" for f in await _beside(page, ".escolha", "label")]
            assert await page.locator("#kind").input_value() == ""
        finally:
            await browser.close()
            await pw.stop()
    assert far == []


async def test_the_receipt_copies_the_code_and_prints_the_facts(
    site: tuple[Balcao, str],
) -> None:
    _, base = site
    pw, browser, page = await _open(390)
    try:
        await page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        await page.goto(base + "/channels/webform/")
        await page.get_by_label("Reclamação").check()
        await page.get_by_label("Assunto").fill("Ar-condicionado da biblioteca")
        await page.get_by_label("Descrição").fill("O ar-condicionado da biblioteca parou.")
        await page.locator("#name").fill("Maria da Silva")
        await page.locator("#email").fill("maria@example.org")
        await page.locator("#consent").check()
        await page.get_by_role("button", name="Enviar manifestação").click()
        await page.get_by_role("heading", name="Manifestação registrada").wait_for()
        code = (await page.locator("#codigo").inner_text()).strip()
        await page.get_by_role("button", name="Copiar código").click()
        await page.locator("#copiado", has_text="Código copiado").wait_for()
        assert await page.evaluate("navigator.clipboard.readText()") == code
        await page.emulate_media(media="print")
        for shown in ("#protocolo", "#codigo", "#registrada-em", "#prazo"):
            assert await page.locator(shown).is_visible(), shown
        for hidden in ("#menu", "#rodape", ".atalhos", ".wf-copiar", ".wf-imprimir"):
            assert not await page.locator(hidden).first.is_visible(), hidden
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.pdf(path=str(SHOTS / "recibo.pdf"))
        await page.screenshot(path=str(SHOTS / "recibo-impresso.png"), full_page=True)
    finally:
        await browser.close()
        await pw.stop()


async def test_the_protocol_field_takes_what_people_type(site: tuple[Balcao, str]) -> None:
    _, base = site
    pw, browser, page = await _open(390)
    try:
        await page.goto(base + "/acompanhar")
        field = page.get_by_label("Número do protocolo")
        verdicts = {}
        for typed in ("2026-000123", "2026000123", "2026 000123", "2026–000123", "abc-12"):
            await field.fill(typed)
            verdicts[typed] = await field.evaluate("e => e.validity.valid")
        assert verdicts == {
            "2026-000123": True,
            "2026000123": True,
            "2026 000123": True,
            "2026–000123": True,
            "abc-12": False,
        }
        icon = await page.request.get(base + "/favicon.ico")
        assert icon.status == 200
        card = page.locator(".cartao", has=page.get_by_role("heading", name="WhatsApp"))
        await page.goto(base + "/")
        assert "(65) 3313-7210" in await card.inner_text()
        link = card.get_by_role("link", name=re.compile("Abrir conversa"))
        assert await link.get_attribute("href") == "https://wa.me/556533137210"
    finally:
        await browser.close()
        await pw.stop()
