"""``balcao.testing``: the pytest plugin for Balcão and its plugins (no autouse fixtures).

Fixtures:
    fake_clock: a :class:`FakeClock` at Tuesday 2026-12-01 10:00 (Cuiabá), inside opening hours.
    recording_channel: a :class:`RecordingChannel` named ``fake``.
    make_balcao: ``await make_balcao(plugins=[("name", plugin)], settings={...})`` gives a
        :class:`Balcao`: the app on a throw-away database, its async client, desk and worker.
    balcao: ``make_balcao`` with the recording channel installed.

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

from balcao.testing._channel import InboundText, RecordingChannel
from balcao.testing._clock import FakeClock
from balcao.testing._database import DatabaseFactory
from balcao.testing._harness import TEST_PASSWORD, TEST_SECRET, Balcao, build_balcao

__all__ = ["TEST_PASSWORD", "TEST_SECRET", "Balcao", "FakeClock", "InboundText", "RecordingChannel"]

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
    return FakeClock()


@pytest.fixture
def recording_channel() -> RecordingChannel:
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
