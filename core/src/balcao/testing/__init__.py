"""``balcao.testing``: the pytest plugin for Balcão and its plugins (no autouse fixtures).

Installing ``balcao`` registers it (the ``pytest11`` entry point); a plugin's tests only ask
for the fixtures:

``fake_clock``
    A :class:`FakeClock` at Tuesday 2026-12-01 10:00 (Cuiabá), inside opening hours.
``recording_channel``
    A :class:`RecordingChannel` named ``fake``.
``make_balcao``
    ``await make_balcao(plugins=[("name", plugin)], settings={...})`` gives a :class:`Balcao`:
    the app on a throw-away database, its async client, desk and worker.
``balcao``
    ``make_balcao`` with the recording channel installed.

Helpers for what plugin tests keep writing again: :func:`installed_plugins` and
:func:`plugins_disabled` (which plugins a test runs with), :func:`run_cli` and
:func:`run_balcao` (the ``balcao`` program, in-process or as a child process),
:class:`LoopbackServer`, :func:`read_request` and :func:`send_json` (a fake of an outside
service on loopback), :func:`serve_in_loop` (the app on a real port, e.g. for a browser) and
:func:`launch_chromium` (the distribution's Chromium through Playwright).

Set ``BALCAO_TEST_DATABASE_URL`` (e.g. ``postgresql+asyncpg://postgres@127.0.0.1/test``) to
run on PostgreSQL instead of SQLite.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest

from balcao.testing._browser import CHROMIUM_ARGS, chromium_executable, launch_chromium
from balcao.testing._channel import InboundText, RecordingChannel
from balcao.testing._cli import CliResult, balcao_environ, run_balcao, run_cli
from balcao.testing._clock import FakeClock
from balcao.testing._database import DatabaseFactory
from balcao.testing._harness import TEST_PASSWORD, TEST_SECRET, Balcao, build_balcao
from balcao.testing._http import (
    FakeRequest,
    LoopbackServer,
    read_request,
    send_json,
    serve_in_loop,
)
from balcao.testing._plugins import installed_plugins, plugins_disabled

__all__ = [
    "CHROMIUM_ARGS",
    "TEST_PASSWORD",
    "TEST_SECRET",
    "Balcao",
    "CliResult",
    "FakeClock",
    "FakeRequest",
    "InboundText",
    "LoopbackServer",
    "RecordingChannel",
    "balcao_environ",
    "chromium_executable",
    "installed_plugins",
    "launch_chromium",
    "plugins_disabled",
    "read_request",
    "run_balcao",
    "run_cli",
    "send_json",
    "serve_in_loop",
]

try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - the kit needs pytest-asyncio for its async fixtures
    pytest_asyncio = None  # type: ignore[assignment]

MakeBalcao = Callable[..., Awaitable[Balcao]]


@pytest.fixture(scope="session")
def balcao_database_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    """Creates and migrates template databases once per session."""
    factory = DatabaseFactory(
        tmp_path_factory.mktemp("balcao-db"), os.environ.get("BALCAO_TEST_DATABASE_URL") or None
    )
    yield factory
    factory.close()


@pytest.fixture
def fake_clock() -> FakeClock:
    """A :class:`FakeClock` inside opening hours; move it with ``set`` or ``advance``."""
    return FakeClock()


@pytest.fixture
def recording_channel() -> RecordingChannel:
    """A :class:`RecordingChannel` named ``fake``, to install with ``make_balcao``."""
    return RecordingChannel()


if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def make_balcao(
        balcao_database_factory: DatabaseFactory,
        fake_clock: FakeClock,
        tmp_path: Any,
    ) -> AsyncIterator[MakeBalcao]:
        async with AsyncExitStack() as stack:

            async def make(
                plugins: Sequence[tuple[str, object]] = (),
                *,
                load_entrypoints: bool = False,
                environ: dict[str, str] | None = None,
                settings: dict[str, Any] | None = None,
            ) -> Balcao:
                runtime, app = await build_balcao(
                    balcao_database_factory,
                    fake_clock,
                    plugins,
                    load_entrypoints=load_entrypoints,
                    environ=environ,
                    settings=settings or {},
                    tmp_path=tmp_path,
                )
                stack.push_async_callback(runtime.close)
                # The app runs in the test's own event loop (PostgreSQL connections are bound
                # to the loop that opened them), so the client is httpx over ASGI directly.
                client = await stack.enter_async_context(
                    httpx.AsyncClient(
                        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
                        base_url="http://testserver.local",
                        follow_redirects=True,
                    )
                )
                return Balcao(runtime=runtime, app=app, client=client, clock=fake_clock)

            yield make

    @pytest_asyncio.fixture
    async def balcao(make_balcao: MakeBalcao, recording_channel: RecordingChannel) -> Balcao:
        return await make_balcao(plugins=[(recording_channel.name, recording_channel)])
