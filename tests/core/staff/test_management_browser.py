"""Management in a real browser: the ouvidor creates a staff account and saves routing
rules after their dry run; the new person logs in with the temporary password and is made
to choose their own. Screenshots go to test-output/staff-browser/."""

from __future__ import annotations

from playwright.sync_api import Page, expect, sync_playwright

from balcao.testing import launch_chromium

from .conftest import PASSWORD
from .test_browser import OUTPUT, server

__all__ = ["server"]  # the fixture, shared with the staff workspace's browser test

RULE = """[[routing.rules]]
name = "restaurante"
priority = 5
when.words_any = ["refeição"]
then.forward_to = "PRAE"
"""


def _enter(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/staff/entrar")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha").fill(password)
    page.get_by_role("button", name="Entrar").click()


def test_ouvidor_manages_users_and_rules_in_the_browser(server: tuple[str, str]) -> None:
    base, protocol = server
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        _enter(page, base, "olga@ufmt.br", PASSWORD)
        page.get_by_role("link", name="Usuários").click()
        page.get_by_label("Nome", exact=True).fill("Bia Souza")
        page.get_by_label("E-mail (usado para entrar)").fill("bia@ufmt.br")
        page.get_by_label("Papel", exact=True).select_option("atendente")
        page.get_by_role("button", name="Criar usuário").click()
        temporary = page.locator("code.chave").inner_text()
        expect(page.get_by_role("cell", name="bia@ufmt.br", exact=True)).to_be_visible()
        page.screenshot(path=str(OUTPUT / "users.png"), full_page=True)

        page.get_by_role("link", name="Regras").click()
        expect(page.get_by_role("heading", name="Como as regras se combinam")).to_be_visible()
        page.get_by_role("link", name="Editar as regras do banco de dados").click()
        page.get_by_label("Regras (mesmo formato").fill(RULE)
        page.get_by_role("button", name="Testar com as últimas 100 manifestações").click()
        expect(page.get_by_text("1 teria(m) outro destino")).to_be_visible()
        expect(page.get_by_role("cell", name=protocol, exact=True)).to_be_visible()
        page.screenshot(path=str(OUTPUT / "rule-dry-run.png"), full_page=True)
        page.get_by_role("button", name="Salvar como nova versão").click()
        expect(page.get_by_text("Versão 1 salva")).to_be_visible()
        expect(page.get_by_role("cell", name="banco de dados", exact=True)).to_be_visible()
        page.screenshot(path=str(OUTPUT / "rules.png"), full_page=True)
        page.get_by_role("button", name="Sair").click()

        _enter(page, base, "bia@ufmt.br", temporary)
        expect(page.get_by_role("heading", name="Trocar minha senha")).to_be_visible()
        page.get_by_label("Senha atual", exact=True).fill(temporary)
        page.get_by_label("Nova senha", exact=True).fill("a-senha-da-bia-2026")
        page.get_by_label("Repita a nova senha").fill("a-senha-da-bia-2026")
        page.screenshot(path=str(OUTPUT / "password.png"), full_page=True)
        page.get_by_role("button", name="Trocar senha").click()
        expect(page.get_by_text("Senha trocada.")).to_be_visible()
        page.get_by_role("link", name="Caixa de entrada").click()
        expect(page.get_by_role("heading", name="Caixa de entrada")).to_be_visible()
        browser.close()
