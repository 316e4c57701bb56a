"""Fixtures: the fake Graph server on loopback and a balcão with the WhatsApp plugin."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import balcao_whatsapp

# the suite runs with --import-mode=importlib: make the modules beside us importable
sys.path.insert(0, str(Path(__file__).parent))
from whatsapp_fake_graph import PHONE_ID, TOKEN, FakeGraph, Server
from whatsapp_payloads import WhatsApp

APP_SECRET = "segredo-do-app-de-teste"
VERIFY_TOKEN = "verifica-123"


@pytest.fixture(scope="session")
def graph_server() -> Iterator[Server]:
    with Server(FakeGraph()) as server:
        yield server


@pytest.fixture
def graph(graph_server: Server) -> FakeGraph:
    graph_server.app.reset()
    return graph_server.app


def plugin_settings(server_url: str, **overrides: Any) -> dict[str, Any]:
    config = {
        "app_secret": APP_SECRET,
        "verify_token": VERIFY_TOKEN,
        "access_token": TOKEN,
        "phone_number_id": PHONE_ID,
        "graph_url": server_url,
        "api_version": "v25.0",
        "timeout_seconds": 2.0,
        **overrides,
    }
    return {
        "plugins": {"whatsapp": config},
        "public_url": "https://balcao.example.org",
        "ouvidoria_name": "Ouvidoria da UFMT",
    }


@pytest.fixture
def make_whatsapp(make_balcao: Any, graph_server: Server, graph: FakeGraph) -> Any:
    async def make(core_settings: dict[str, Any] | None = None, **overrides: Any) -> WhatsApp:
        settings = {**plugin_settings(graph_server.url, **overrides), **(core_settings or {})}
        balcao = await make_balcao(plugins=[("whatsapp", balcao_whatsapp)], settings=settings)
        return WhatsApp(balcao, graph, APP_SECRET)

    return make


@pytest.fixture
async def wa(make_whatsapp: Any) -> WhatsApp:
    return await make_whatsapp()
