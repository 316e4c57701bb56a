"""Fixtures for the meet plugin: a fake Google on loopback and balcão builders."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from meet_fake_google import FakeGoogle, served_google
from meet_support import FALLBACK

import balcao_meet
from balcao.testing import Balcao


@pytest.fixture(scope="session")
def google_server() -> Iterator[FakeGoogle]:
    with served_google() as fake:
        yield fake


@pytest.fixture
def google(google_server: FakeGoogle) -> FakeGoogle:
    google_server.reset()
    return google_server


@pytest.fixture
def google_config(google: FakeGoogle, tmp_path: Path) -> dict[str, Any]:
    return {
        "fallback_link": FALLBACK,
        "service_account_file": google.service_account(tmp_path / "sa.json"),
        "delegated_user": "ouvidoria@ufmt.br",
        "calendar_id": "ouvidoria@ufmt.br",
        "token_url": google.url + "/token",
        "calendar_api_url": google.url + "/calendar/v3",
        "meet_api_url": google.url + "/meet/v2",
        "pending_wait_seconds": 3.0,
    }


MakeMeet = Callable[..., Awaitable[Balcao]]


@pytest.fixture
def make_meet(make_balcao: Any) -> MakeMeet:
    """``await make_meet(config={...}, plugins=[...], settings={...})``."""

    async def make(
        config: dict[str, Any] | None = None,
        plugins: list[tuple[str, object]] | None = None,
        **settings: Any,
    ) -> Balcao:
        merged = {"fallback_link": FALLBACK, "lead_time_minutes": 60, **(config or {})}
        return await make_balcao(
            plugins=[("meet", balcao_meet), *(plugins or [])],
            settings={"plugins": {"meet": merged}, **settings},
        )

    return make
