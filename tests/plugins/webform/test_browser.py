"""A citizen with a keyboard only: fills the form with one attachment, gets an error page
(the file is kept), completes it, reads the protocol and access code, tracks the
manifestation; axe-core checks each page of the form for serious or critical accessibility
violations. Screenshots go to test-output/webform."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from balcao.testing import launch_chromium

from .browser import OUTPUT, axe_source
from .conftest import PDF
from .live import serve

if TYPE_CHECKING:
    from playwright.sync_api import Page

_AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
}"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("webform-live")


@pytest.fixture(scope="module")
def site(folder: Path) -> Iterator[str]:
    with serve(folder, {"min_fill_seconds": "1", "max_files": "2", "max_file_mb": "1"}) as url:
        yield url


@pytest.fixture(scope="module")
def page(site: str) -> Iterator[Page]:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(locale="pt-BR", viewport={"width": 390, "height": 844})
        tab = context.new_page()
        tab.csp_violations = []  # type: ignore[attr-defined]
        tab.on(
            "console",
            lambda m: "Content Security Policy" in m.text and tab.csp_violations.append(m.text),  # type: ignore[attr-defined]
        )
        yield tab
        browser.close()


def tab_to(page: Page, element_id: str, limit: int = 60) -> None:
    """Press Tab until the element has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    pytest.fail(f"#{element_id} was never reached with Tab")


def type_into(page: Page, element_id: str, text: str) -> None:
    tab_to(page, element_id)
    page.keyboard.type(text, delay=5)


def choose_file(page: Page, path: Path) -> None:
    """Open the file chooser with the keyboard (Space on the focused field) and pick ``path``.
    On a busy machine the first key press may come before the page is ready: try again."""
    for _ in range(3):
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.keyboard.press("Space")
        except PlaywrightTimeout:
            continue
        chooser.value.set_files(str(path))
        return
    pytest.fail("the file chooser never opened from the keyboard")


def accessibility(page: Page, name: str) -> None:
    page.evaluate(axe_source() + "\n;0")
    violations = page.evaluate(_AXE_RUN)
    (OUTPUT / f"axe-{name}.json").write_text(json.dumps(violations, indent=2, ensure_ascii=False))
    grave = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert grave == [], json.dumps(grave, indent=2, ensure_ascii=False)


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
    assert (OUTPUT / f"{name}.png").stat().st_size > 1000


def test_keyboard_only_citizen(page: Page, site: str, folder: Path, tmp_path: Path) -> None:
    page.goto(site + "/")
    tab_to(page, "")  # leave the address bar for the page
    assert page.locator("a[href='/channels/webform/']").count() == 1
    page.goto(site + "/channels/webform/")
    shot(page, "01-formulario")
    accessibility(page, "formulario")

    tab_to(page, "kind-reclamacao")
    page.keyboard.press("Space")
    type_into(page, "subject", "Restaurante universitário")
    attachment = tmp_path / "cardapio.pdf"
    attachment.write_bytes(PDF)
    tab_to(page, "attachments")
    choose_file(page, attachment)
    tab_to(page, "name")
    page.keyboard.type("Maria da Silva")
    tab_to(page, "consent")
    page.keyboard.press("Space")
    page.wait_for_timeout(1100)  # a person takes longer than the minimum fill time
    tab_to(page, "enviar")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "resumo-erros"
    assert "Descreva a sua manifestação." in page.inner_text("#resumo-erros")
    assert page.input_value("#subject") == "Restaurante universitário"
    assert page.is_checked("#keep-0")  # the attachment was kept: no need to choose it again
    assert "cardapio.pdf" in page.inner_text("label[for=keep-0]")
    shot(page, "02-erros")
    accessibility(page, "erros")

    type_into(page, "description", "O restaurante fechou às 11h sem aviso; ficamos sem almoço.")
    type_into(page, "email", "maria@example.org")
    type_into(page, "cpf", "529.982.247-25")
    page.wait_for_timeout(1100)
    tab_to(page, "enviar")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    protocol = page.inner_text("#protocolo").strip()
    code = page.inner_text("#codigo").strip()
    assert protocol and code
    assert page.evaluate("document.activeElement.id") == "registrada"
    assert page.locator(".wf-imprimir").is_visible()  # the script made the print button live
    digest = hashlib.sha256(PDF).hexdigest()
    assert (folder / "files" / digest[:2] / digest).read_bytes() == PDF
    shot(page, "03-registrada")
    accessibility(page, "registrada")

    page.goto(site + "/acompanhar")
    type_into(page, "protocol", protocol)
    type_into(page, "access_code", code)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    result = page.inner_text("main")
    assert f"Manifestação {protocol}" in result
    assert "O restaurante fechou às 11h sem aviso" in result
    shot(page, "04-acompanhamento")
    assert page.csp_violations == []  # type: ignore[attr-defined]


def test_the_accessibility_check_can_fail(page: Page) -> None:
    """A control: axe-core really runs and reports what it should."""
    page.set_content('<html lang="pt-BR"><body><main><img src="x.png"></main></body></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        accessibility(page, "controle")
