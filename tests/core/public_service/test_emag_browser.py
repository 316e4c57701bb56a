"""e-MAG in a real browser (the distribution's Chromium): access keys move to the content,
menu, search and footer; high contrast and a larger font persist across pages; axe-core finds
no violation in normal and high-contrast modes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, sync_playwright

from balcao import create_app, load_settings
from balcao.testing import TEST_SECRET, LoopbackServer, RecordingChannel, launch_chromium

AXE = Path(__file__).resolve().parents[2] / ".vendor" / "node_modules" / "axe-core" / "axe.min.js"
CITIZEN_PAGES = ("/", "/acompanhar", "/transparencia", "/acessibilidade")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    import asyncio

    url = f"sqlite+aiosqlite:///{tmp_path / 'balcao.db'}"
    settings = load_settings(
        {}, database_url=url, secret_key=TEST_SECRET, files_dir=str(tmp_path / "files")
    )
    channel = RecordingChannel()
    app = create_app(settings, plugins=[(channel.name, channel)], load_entrypoints=False)
    asyncio.run(app.state.runtime.upgrade_database())
    with LoopbackServer(app, lifespan="on") as served:
        yield served.url


def _browser_page(p: Any) -> tuple[Any, Page]:
    browser = launch_chromium(p)
    return browser, browser.new_page(viewport={"width": 1280, "height": 900})


def _press_access_key(page: Page, key: str) -> None:
    """Alt + key as a person types it: Playwright's own key presses send no character with
    Alt, and Chromium reads access keys from the character."""
    cdp = page.context.new_cdp_session(page)
    typed = {
        "modifiers": 1,
        "key": key,
        "code": f"Digit{key}",
        "windowsVirtualKeyCode": 48 + int(key),
    }
    cdp.send(
        "Input.dispatchKeyEvent", {"type": "keyDown", "text": key, "unmodifiedText": key, **typed}
    )
    cdp.send(
        "Input.dispatchKeyEvent", {"type": "char", "text": key, "unmodifiedText": key, **typed}
    )
    cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", **typed})
    cdp.detach()


def _wait_for_hash(page: Page, where: str) -> None:
    # polled from here: wait_for_function would evaluate a string, which the CSP forbids
    deadline = time.monotonic() + 5
    while page.evaluate("() => location.hash") != where and time.monotonic() < deadline:
        time.sleep(0.05)
    assert page.evaluate("() => location.hash") == where


def _axe_violations(page: Page) -> list[dict[str, Any]]:
    # evaluated through the debugging protocol: the page's CSP does not apply to it
    page.evaluate(AXE.read_text())
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    return [{"id": v["id"], "nodes": len(v["nodes"])} for v in result["violations"]]


def test_access_keys_contrast_and_font_in_the_browser(server: str) -> None:
    with sync_playwright() as p:
        browser, page = _browser_page(p)
        page.goto(f"{server}/")
        for key, where in (("1", "#conteudo"), ("2", "#menu"), ("4", "#rodape")):
            _press_access_key(page, key)
            _wait_for_hash(page, where)
            assert page.evaluate("() => document.activeElement.id") == where[1:]
        _press_access_key(page, "3")
        page.wait_for_url(f"{server}/acompanhar#protocol")
        normal = page.evaluate("getComputedStyle(document.body).backgroundColor")
        with page.expect_navigation():
            page.get_by_role("link", name="Alto contraste").click()
        assert page.evaluate("document.documentElement.classList.contains('contraste')")
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
        assert normal != "rgb(0, 0, 0)"
        size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        with page.expect_navigation():
            page.get_by_role("link", name="Aumentar a letra").click()
        bigger = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        assert bigger > size
        page.goto(f"{server}/transparencia")  # another page, a new visit: still as chosen
        assert page.evaluate("document.documentElement.className") == "contraste fonte-1"
        with page.expect_navigation():
            page.get_by_role("link", name="Contraste normal").click()
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == normal
        browser.close()


def test_axe_core_finds_no_violation_in_either_mode(server: str) -> None:
    assert AXE.exists(), (
        "axe-core is missing: npm install --prefix tests/.vendor axe-core@4.14.1 (.ci/run does it)"
    )
    found: dict[str, Any] = {}
    with sync_playwright() as p:
        browser, page = _browser_page(p)
        for contrast in ("0", "1"):
            page.goto(f"{server}/acessibilidade/preferencias?contraste={contrast}&voltar=/")
            for path in CITIZEN_PAGES:
                page.goto(f"{server}{path}")
                violations = _axe_violations(page)
                if violations:
                    found[f"{path} contraste={contrast}"] = violations
        browser.close()
    assert found == {}
