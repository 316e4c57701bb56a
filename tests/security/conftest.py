"""Fixtures for the tests that cut across the core and every bundled plugin: one balcão
with WhatsApp (fake Graph API), Meet (fake Google), the web form and Fala.BR, and helpers to
log in as staff."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import balcao_falabr_export
import balcao_meet
import balcao_webform
import balcao_whatsapp

PLUGIN_TESTS = Path(__file__).parents[1] / "plugins"
# appended, not prepended: the plugins' own tests import their "conftest" by name
for folder in ("whatsapp", "meet"):
    sys.path.append(str(PLUGIN_TESTS / folder))
sys.path.append(str(Path(__file__).parent))

from meet_fake_google import FakeGoogle, served_google  # noqa: E402
from whatsapp_fake_graph import PHONE_ID, TOKEN, FakeGraph, Server  # noqa: E402
from whatsapp_payloads import WhatsApp  # noqa: E402

APP_SECRET = "segredo-do-app-de-teste"
PLUGINS = [
    ("whatsapp", balcao_whatsapp),
    ("meet", balcao_meet),
    ("webform", balcao_webform),
    ("falabr_export", balcao_falabr_export),
]


@pytest.fixture(scope="session")
def graph_server() -> Iterator[Server]:
    with Server(FakeGraph()) as server:
        yield server


@pytest.fixture(scope="session")
def google_server() -> Iterator[FakeGoogle]:
    with served_google() as fake:
        yield fake


def _settings(graph_url: str, google: FakeGoogle, tmp_path: Path) -> dict[str, Any]:
    whatsapp = {
        "app_secret": APP_SECRET,
        "verify_token": "verifica-123",
        "access_token": TOKEN,
        "phone_number_id": PHONE_ID,
        "graph_url": graph_url,
        "api_version": "v25.0",
        "timeout_seconds": 0.5,
        "reply_template": "balcao_nova_resposta",
    }
    meet = {
        "fallback_link": "https://meet.google.com/fix-ouvi-dor",
        "service_account_file": google.service_account(tmp_path / "sa.json"),
        "delegated_user": "ouvidoria@ufmt.br",
        "calendar_id": "ouvidoria@ufmt.br",
        "token_url": google.url + "/token",
        "calendar_api_url": google.url + "/calendar/v3",
        "meet_api_url": google.url + "/meet/v2",
        "pending_wait_seconds": 3.0,
        "lead_time_minutes": 60,
        "reminder_channel": "whatsapp",
    }
    falabr = {"ouvidoria_id": 4321, "timeout_seconds": 0.5}
    return {"plugins": {"whatsapp": whatsapp, "meet": meet, "falabr_export": falabr}}


@pytest.fixture
async def everything(
    make_balcao: Any, graph_server: Server, google_server: FakeGoogle, tmp_path: Path
) -> WhatsApp:
    """A balcão with every bundled plugin; ``.b`` is the balcão, ``.graph`` the fake."""
    graph_server.app.reset()
    google_server.reset()
    balcao = await make_balcao(
        plugins=PLUGINS, settings=_settings(graph_server.url, google_server, tmp_path)
    )
    return WhatsApp(balcao, graph_server.app, APP_SECRET)
