"""Shortcuts for the routing tests: a balcão with given rules, and manifestation look-ups."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import pytest

from balcao import Manifestation
from balcao.testing import Balcao, RecordingChannel

WithRules = Callable[..., Awaitable[Balcao]]


@pytest.fixture
def with_rules(make_balcao: Any, recording_channel: RecordingChannel) -> WithRules:
    """``await with_rules([{rule}, ...], plugins=[...])``: a balcão with those rules."""

    async def make(
        rules: Sequence[dict[str, Any]] = (),
        *,
        plugins: Sequence[tuple[str, object]] = (),
        routing: dict[str, Any] | None = None,
    ) -> Balcao:
        section = {"rules": list(rules), **(routing or {})}
        return await make_balcao(
            plugins=[(recording_channel.name, recording_channel), *plugins],
            settings={"routing": section},
        )

    return make


async def routed(balcao: Balcao, text: str, **fields: Any) -> Manifestation:
    """Register a manifestation and read it back as staff see it."""
    receipt = await balcao.manifestation(text, **fields)
    return await balcao.desk.get(receipt.protocol)
