"""The favicon, and errors as a person's browser and an API client each need them: a pt-BR
page in the site's look for the first, JSON for the second, a traceback for neither."""

from __future__ import annotations

from typing import Any

from litestar import get

from balcao import ChannelSpec, NotFound, hookimpl
from balcao.testing import Balcao

HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
SECRET = "segredo-interno-que-nao-pode-vazar"


@get("/quebra", sync_to_thread=False)
def _broken() -> str:
    raise RuntimeError(SECRET)


@get("/sumiu", sync_to_thread=False)
def _missing() -> str:
    raise NotFound("a reserva 2026-000009 não existe")


class _BrokenChannel:
    @hookimpl
    def balcao_register_channels(self, config: Any) -> list[ChannelSpec]:
        return [
            ChannelSpec(name="quebrado", title="Canal quebrado", route_handlers=[_broken, _missing])
        ]


async def test_the_favicon_is_served_and_linked(balcao: Balcao) -> None:
    icon = await balcao.client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/")
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an icon file, one image
    home = await balcao.client.get("/")
    assert '<link rel="icon" href="/favicon.ico"' in home.text


async def test_an_unknown_page_is_a_pt_br_page_for_a_browser(balcao: Balcao) -> None:
    answer = await balcao.client.get("/nao-existe", headers=HTML)
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>Página não encontrada</h1>" in answer.text
    assert 'href="/acompanhar"' in answer.text and 'class="topo"' in answer.text


async def test_an_unknown_api_path_stays_json(balcao: Balcao) -> None:
    for headers in ({}, HTML):
        answer = await balcao.client.get("/api/v1/nao-existe", headers=headers)
        assert answer.status_code == 404
        assert answer.json()["status_code"] == 404


async def test_an_unexpected_error_is_a_page_without_traceback(make_balcao: Any) -> None:
    b = await make_balcao(plugins=[("quebrado", _BrokenChannel())])
    page = await b.client.get("/channels/quebrado/quebra", headers=HTML)
    assert page.status_code == 500
    assert "<h1>Erro no balcão virtual</h1>" in page.text
    assert SECRET not in page.text and "Traceback" not in page.text
    api = await b.client.get("/channels/quebrado/quebra")
    assert api.status_code == 500
    assert api.json() == {"status_code": 500, "detail": "Internal Server Error"}
    assert SECRET not in api.text


async def test_a_domain_error_on_a_channel_page_is_a_page_with_its_reason(
    make_balcao: Any,
) -> None:
    b = await make_balcao(plugins=[("quebrado", _BrokenChannel())])
    page = await b.client.get("/channels/quebrado/sumiu", headers=HTML)
    assert page.status_code == 404
    assert "<h1>Página não encontrada</h1>" in page.text
    assert "a reserva 2026-000009 não existe" in page.text
    api = await b.client.get("/channels/quebrado/sumiu")
    assert api.json() == {"status_code": 404, "detail": "a reserva 2026-000009 não existe"}
