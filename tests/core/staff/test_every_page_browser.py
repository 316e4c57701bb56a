"""Every citizen and staff page in a real browser (the distribution's Chromium), at 1280 px
and at 390 px (a phone): nothing scrolls sideways on the phone, no internal identifier
(state, kind, channel, audit action, actor prefix) reaches the visible text, axe-core finds
no serious or critical violation. Screenshots are saved as artifacts; the path is printed.

To cover a new page, add one line to PAGES."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

import balcao_email
import balcao_falabr_export
import balcao_meet
import balcao_webform
import balcao_whatsapp
from balcao import Actor, Citizen, Kind, NewManifestation, create_app, load_settings
from balcao._services.users import create_user
from balcao._web.labels import Labels, internal_names
from balcao.testing import TEST_SECRET, FakeClock, launch_chromium
from balcao.testing._database import DatabaseFactory

AXE = Path(__file__).resolve().parents[2] / ".vendor" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 390)
PASSWORD = "uma-senha-longa-de-teste"
PLUGINS = [
    ("webform", balcao_webform),
    ("meet", balcao_meet),
    ("whatsapp", balcao_whatsapp),
    ("email", balcao_email),
    ("falabr_export", balcao_falabr_export),
]
SETTINGS: dict[str, Any] = {
    "meet": {"fallback_link": "https://meet.example.org/sala"},
    "falabr_export": {
        "ouvidoria_id": 4321,
        "orgao_name": "Fundação Universidade Federal de Mato Grosso",
        "orgao_city": "Cuiabá",
        "orgao_state": "MT",
    },
    "webform": {"min_fill_seconds": 0},
    "whatsapp": {"display_number": "(65) 3313-7210"},
    "email": {"from_address": "ouvidoria@ufmt.br"},
}


class Visit(NamedTuple):
    name: str
    path: str  # {protocol} and {forwarded} are filled in from the seeded cases
    role: str | None = None  # who is logged in; None: a citizen


# One list: every page the walk visits, in order.
PAGES: list[Visit] = [
    Visit("inicio", "/"),
    Visit("formulario", "/channels/webform/"),
    Visit("recibo", "/channels/webform/recibo"),  # after sending the form (see _FLOWS)
    Visit("acompanhar", "/acompanhar"),
    Visit("acompanhamento", "/acompanhar"),  # after asking with the receipt's code
    Visit("agendar-video", "/channels/meet/"),
    Visit("transparencia", "/transparencia"),
    Visit("acessibilidade", "/acessibilidade"),
    Visit("entrar", "/staff/entrar"),
    Visit("caixa", "/staff", "ouvidor"),
    Visit("caixa-atrasadas", "/staff?atrasadas=1&ordem=prazo", "ouvidor"),
    Visit("caso", "/staff/manifestacoes/{protocol}", "ouvidor"),
    Visit("caso-encaminhado", "/staff/manifestacoes/{forwarded}", "ouvidor"),
    Visit("encaminhar", "/staff/manifestacoes/{protocol}/encaminhar", "ouvidor"),
    Visit("lgpd", "/staff/manifestacoes/{protocol}/lgpd", "ouvidor"),
    Visit("auditoria", "/staff/auditoria", "ouvidor"),
    Visit("relatorios", "/staff/relatorios", "ouvidor"),
    Visit("relatorio-gestao", "/staff/relatorio-anual", "ouvidor"),
    Visit("unidades", "/staff/unidades", "ouvidor"),
    Visit("regras", "/staff/regras", "ouvidor"),
    Visit("conta", "/staff/conta", "ouvidor"),
    Visit("trocar-senha", "/staff/conta/senha", "atendente"),
    Visit("usuarios", "/staff/usuarios", "ouvidor"),
    Visit("usuario", "/staff/usuarios/1", "ouvidor"),
    Visit("seguranca", "/staff/seguranca", "ouvidor"),
    Visit("regras-editar", "/staff/regras/editar", "ouvidor"),
    Visit("falabr", "/exports/falabr_export/manifestations/{protocol}/page", "ouvidor"),
    Visit("agenda-video", "/exports/meet/agenda", "ouvidor"),
    Visit("caixa-atendente", "/staff", "atendente"),
    Visit("caixa-unidade", "/staff", "unidade"),
    Visit("caso-unidade", "/staff/manifestacoes/{forwarded}", "unidade"),
    Visit("caixa-auditor", "/staff", "auditor"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _settings(url: str, files: Path) -> Any:
    return load_settings(
        {}, database_url=url, secret_key=TEST_SECRET, files_dir=str(files), plugins=SETTINGS
    )


async def _seed(url: str, files: Path) -> dict[str, str]:
    """Cases on several channels and kinds, one forwarded to a unit and overdue (made 40
    days ago), an identity view and the staff who log in."""
    clock = FakeClock(dt.datetime.now(dt.UTC) - dt.timedelta(days=40))
    app = create_app(_settings(url, files), plugins=PLUGINS, load_entrypoints=False, clock=clock)
    desk = app.state.desk
    try:
        users = await _users(desk, clock)
        citizen = Citizen(name="Lia Prado", email="lia@example.org", cpf="52998224725")
        seeded = [
            (Kind.RECLAMACAO, "webform", "Refeição fria no RU", citizen),
            (Kind.SUGESTAO, "meet", "Horário da biblioteca", citizen),
            (Kind.ELOGIO, "whatsapp", "Atendimento da PRAE", None),
            (Kind.SOLICITACAO, "email", "Segunda via de diploma", citizen),
        ]
        protocols = []
        for kind, channel, subject, who in seeded:
            new = NewManifestation(
                kind=kind,
                channel=channel,
                subject=subject,
                description=f"{subject}: relato de teste com detalhes suficientes.",
                citizen=who,
            )
            protocols.append((await desk.intake(new)).protocol)
        anonymous = NewManifestation(
            kind=Kind.DENUNCIA, channel="webform", description="Denúncia anônima.", anonymous=True
        )
        await desk.intake(anonymous)
        ouvidor = users["ouvidor"]
        await desk.forward(protocols[0], "PRAE", "Refeições frias no RU: verificar.", ouvidor)
        await desk.reveal_identity(protocols[1], ouvidor, "conferir o contato")
    finally:
        await app.state.runtime.close()
    return {"forwarded": protocols[0], "protocol": protocols[1]}


async def _users(desk: Any, clock: FakeClock) -> dict[str, Actor]:
    found = {}
    async with desk.database.write() as session:
        for role, unit in (
            ("ouvidor", None),
            ("atendente", None),
            ("unidade", "PRAE"),
            ("auditor", None),
        ):
            user = await create_user(
                session,
                email=f"{role}@ufmt.br",
                name=role.title(),
                role=role,
                unit=unit,
                password=PASSWORD,
                now=clock.now(),
            )
            await session.flush()
            found[role] = Actor(
                kind="user",
                name=user.email,
                user_id=user.id,
                role=role,
                unit_code=unit,  # type: ignore[arg-type]
            )
    return found


@pytest.fixture
def site(
    tmp_path: Path, balcao_database_factory: DatabaseFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    files = tmp_path / "files"
    probe = create_app(
        _settings("sqlite+aiosqlite://", files), plugins=PLUGINS, load_entrypoints=False
    )
    locations = [m.spec.location for m in probe.state.runtime.migrations]
    url = asyncio.run(balcao_database_factory.fresh(locations))
    cases = asyncio.run(_seed(url, files))
    app = create_app(_settings(url, files), plugins=PLUGINS, load_entrypoints=False)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the app did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", cases
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("artifacts") / "pages"
    folder.mkdir()
    print(f"\nscreenshots: {folder}")
    return folder


def _login(browser: Browser, base: str, role: str, width: int) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900}, locale="pt-BR")
    page.goto(f"{base}/staff/entrar")
    page.get_by_label("E-mail").fill(f"{role}@ufmt.br")
    page.get_by_label("Senha").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Entrar").click()
    assert page.url.rstrip("/").endswith("/staff"), page.url
    return page


def _citizen_flow(page: Page, base: str, found: dict[str, str]) -> None:
    """Send the web form as a citizen does: the receipt gives the protocol and code."""
    page.goto(f"{base}/channels/webform/")
    page.check("#kind-reclamacao")
    page.fill("#subject", "Ônibus interno atrasado")
    page.fill("#description", "O ônibus do campus atrasou 40 minutos nesta semana.")
    page.fill("#name", "Maria da Silva")
    page.fill("#email", "maria@example.org")
    page.check("#consent")
    with page.expect_navigation():
        page.click("#enviar")
    found["code"] = page.inner_text("#codigo").strip()
    found["mine"] = page.inner_text("#protocolo").strip()


def _track(page: Page, base: str, found: dict[str, str]) -> None:
    page.goto(f"{base}/acompanhar")
    page.fill("#protocol", found["mine"])
    page.fill("#access_code", found["code"])
    with page.expect_navigation():
        page.get_by_role("button", name="Consultar").click()


# What a person reads: the page's rendered text, less code samples (a CSV header, a rule's
# configuration) that are meant to be typed as they are.
_VISIBLE_TEXT = """() => {
  let text = document.body.innerText;
  for (const sample of document.querySelectorAll("code, pre")) {
    text = text.replace(sample.innerText, " ");
  }
  return text;
}"""
# The innermost elements that stick out to the right, to name the culprit in the failure.
_TOO_WIDE = """(width) => Array.from(document.body.querySelectorAll("*"))
  .filter(e => e.getBoundingClientRect().right > width + 1)
  .filter(e => !Array.from(e.children).some(c => c.getBoundingClientRect().right > width + 1))
  .slice(0, 3)
  .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
       (typeof e.className === "string" && e.className ? "." + e.className : ""))"""


def _forbidden_words() -> re.Pattern[str]:
    names = internal_names(Labels())
    words = [re.escape(n) + ("" if n.endswith(":") else r"\b") for n in names]
    return re.compile(r"(?<![\w@.-])(" + "|".join(words) + ")")


def _check(page: Page, visit: Visit, width: int, folder: Path, words: re.Pattern[str]) -> list[str]:
    problems = []
    page.screenshot(path=str(folder / f"{visit.name}-{width}.png"), full_page=True)
    if width < 400:
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > width:
            culprits = page.evaluate(_TOO_WIDE, width)
            problems.append(f"{visit.name} @ {width}: the document is {wide} px wide: {culprits}")
    if visit.role and page.locator("nav.menu-equipe").count() != 1:
        problems.append(f"{visit.name} @ {width}: the staff navigation is missing")
    text = page.evaluate(_VISIBLE_TEXT)
    leaked = sorted({m.group(1) for m in words.finditer(text)})
    if leaked:
        problems.append(f"{visit.name} @ {width}: internal names in the text: {leaked}")
    page.evaluate(AXE.read_text() + "\n;0")
    found = page.evaluate(
        "async () => (await axe.run(document)).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))"
    )
    grave = [v for v in found if v["impact"] in ("serious", "critical")]
    if grave:
        problems.append(f"{visit.name} @ {width}: axe-core: {json.dumps(grave)}")
    return problems


_FLOWS = {"recibo": _citizen_flow, "acompanhamento": _track}


def _visit(page: Page, base: str, visit: Visit, found: dict[str, str]) -> None:
    if visit.name in _FLOWS:
        _FLOWS[visit.name](page, base, found)
        assert page.url.startswith(base + visit.path), page.url
        return
    response = page.goto(base + visit.path.format(**found))
    assert response is not None and response.status < 400, (visit, response and response.status)


def test_every_page_fits_a_phone_reads_in_portuguese_and_passes_axe(
    site: tuple[str, dict[str, str]], artifacts: Path
) -> None:
    assert AXE.exists(), (
        "axe-core is missing: npm install --prefix tests/.vendor axe-core@4.14.1 (.ci/run does it)"
    )
    base, found = site
    found = dict(found)
    words = _forbidden_words()
    problems: list[str] = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        for width in WIDTHS:
            pages: dict[str | None, Page] = {
                None: browser.new_page(viewport={"width": width, "height": 900}, locale="pt-BR")
            }
            for visit in PAGES:
                if visit.role not in pages:
                    pages[visit.role] = _login(browser, base, visit.role, width)  # type: ignore[arg-type]
                page = pages[visit.role]
                _visit(page, base, visit, found)
                problems += _check(page, visit, width, artifacts, words)
            for page in pages.values():
                page.close()
        browser.close()
    assert len(list(artifacts.glob("*.png"))) == 2 * len(PAGES)
    assert problems == [], "\n".join(problems)


def test_inbox_keyboard_shortcuts(site: tuple[str, dict[str, str]]) -> None:
    base, _ = site
    csp: list[str] = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = _login(browser, base, "atendente", 1280)
        page.on("console", lambda m: "Content Security Policy" in m.text and csp.append(m.text))
        page.reload()
        page.keyboard.press("/")
        assert page.evaluate("document.activeElement.id") == "q"
        page.keyboard.press("Escape")
        page.evaluate("document.activeElement.blur()")
        rows = page.locator("tr[data-linha]")
        for key, row in (("j", 0), ("j", 1), ("k", 0)):
            page.keyboard.press(key)
            assert "escolhida" in (rows.nth(row).get_attribute("class") or ""), (key, row)
        first = rows.nth(0).locator("a.protocolo").inner_text()
        page.keyboard.press("x")
        assert rows.nth(0).locator("input[type=checkbox]").is_checked()
        with page.expect_navigation():
            page.keyboard.press("o")
        assert page.url == f"{base}/staff/manifestacoes/{first}"
        browser.close()
    assert csp == []
