"""Fixtures: a fake Me-OUV on loopback and a balcão with the plugin pointed at it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

import balcao_falabr_export
from balcao.testing import Balcao, FakeClock, RecordingChannel

from .fake_meouv import CREDENTIALS, FakeMeOuv, Served

MakeBalcao = Callable[..., Awaitable[Balcao]]


@pytest.fixture
def meouv(fake_clock: FakeClock) -> Iterator[FakeMeOuv]:
    fake = FakeMeOuv(today=fake_clock.now().date())
    with Served(fake) as served:
        fake.url = f"http://127.0.0.1:{served.port}"
        yield fake


def plugin_settings(fake: FakeMeOuv | None, **extra: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "ouvidoria_id": 4321,
        "timeout_seconds": 0.5,
        "orgao_name": "Fundação Universidade Federal de Mato Grosso",
        "orgao_city": "Cuiabá",
        "orgao_state": "MT",
        **extra,
    }
    if fake is not None:
        config.update(base_url=fake.url, **CREDENTIALS)
    return {"plugins": {"falabr_export": config}}


@pytest.fixture
async def app(
    make_balcao: MakeBalcao, meouv: FakeMeOuv, recording_channel: RecordingChannel
) -> Balcao:
    return await make_balcao(
        plugins=[
            ("falabr_export", balcao_falabr_export),
            (recording_channel.name, recording_channel),
        ],
        settings=plugin_settings(meouv),
    )
