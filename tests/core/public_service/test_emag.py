"""e-MAG on the citizen pages over HTTP: access keys, contrast and font size kept in a
cookie without JavaScript, the accessibility page, VLibras off by default."""

from __future__ import annotations

from typing import Any

import pytest

from balcao.testing import Balcao

PAGES = ("/", "/acompanhar", "/transparencia", "/acessibilidade")
VLIBRAS = "https://vlibras.gov.br"


@pytest.fixture
async def app(make_balcao: Any, recording_channel: Any) -> Balcao:
    return await make_balcao(plugins=[("fake", recording_channel)])


async def test_every_citizen_page_has_the_access_keys(app: Balcao) -> None:
    for path in PAGES:
        html = (await app.client.get(path)).text
        for key, target in (("1", "#conteudo"), ("2", "#menu"), ("4", "#rodape")):
            assert f'href="{target}" accesskey="{key}"' in html, (path, key)
        assert 'accesskey="3"' in html
        for anchor in ('id="conteudo"', 'id="menu"', 'id="rodape"'):
            assert anchor in html


async def test_contrast_and_font_persist_in_a_cookie_without_javascript(app: Balcao) -> None:
    assert 'class=" fonte-0"' in (await app.client.get("/")).text
    step = await app.client.get(
        "/acessibilidade/preferencias",
        params={"contraste": "1", "voltar": "/acompanhar"},
        follow_redirects=False,
    )
    assert step.status_code == 303 and step.headers["location"] == "/acompanhar"
    await app.client.get("/acessibilidade/preferencias", params={"fonte": "2", "voltar": "/"})
    for path in PAGES:
        html = (await app.client.get(path)).text
        assert '<html lang="pt-BR" class="contraste fonte-2">' in html, path
        assert "Contraste normal" in html
    await app.client.get("/acessibilidade/preferencias", params={"contraste": "0", "fonte": "9"})
    assert 'class=" fonte-3"' in (await app.client.get("/")).text


async def test_preferences_never_redirect_elsewhere(app: Balcao) -> None:
    for target in ("https://example.org/", "//example.org", "/\\example.org", "javascript:x"):
        response = await app.client.get(
            "/acessibilidade/preferencias",
            params={"contraste": "1", "voltar": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"
    app.client.cookies.set("balcao_acessibilidade", "c=1-f=999-x")
    html = (await app.client.get("/")).text
    assert 'class="contraste fonte-0"' in html


async def test_accessibility_page_and_vlibras_off_by_default(app: Balcao) -> None:
    page = await app.client.get("/acessibilidade")
    assert page.status_code == 200
    assert "Teclas de atalho" in page.text and "não está ativado" in page.text
    assert VLIBRAS not in page.text
    assert VLIBRAS not in page.headers["content-security-policy"]


async def test_vlibras_on_allows_exactly_its_origin_on_citizen_pages(
    make_balcao: Any, recording_channel: Any
) -> None:
    app = await make_balcao(plugins=[("fake", recording_channel)], settings={"vlibras": True})
    page = await app.client.get("/")
    assert f'<script src="{VLIBRAS}/app/vlibras-plugin.js">' in page.text
    policy = dict(
        part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";")
    )
    for directive in ("script-src", "style-src", "img-src", "font-src", "connect-src"):
        sources = policy[directive].split()
        assert VLIBRAS in sources and "'self'" in sources and "*" not in sources, directive
    for directive in ("default-src", "object-src", "frame-ancestors", "form-action"):
        assert VLIBRAS not in policy[directive]
    staff = await app.client.get("/staff/entrar")
    assert VLIBRAS not in staff.headers["content-security-policy"]
