"""A real ``balcao worker`` SIGKILLed during a send (the call on the wire; the call answered
but not yet recorded) and during the dispatch of an event to the plugin's handler. After a
restart every reply and every event is delivered, and the fake Graph API, counting by
message, saw none twice."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from test_exactly_once import bodies, replies, until, window_open
from whatsapp_payloads import WhatsApp

from balcao import Actor, Kind, NewManifestation, State
from balcao.testing._processes import Workers, worker_environment

OUVIDOR = Actor(kind="user", name="ouvidor", role="ouvidor")


@pytest.fixture
def workers(wa: WhatsApp, tmp_path: Path) -> Iterator[Workers]:
    # a short lease: the restarted worker takes over the dead one's row within a second
    environment = worker_environment(
        wa.b, tmp_path, lease_seconds=1, worker_poll_seconds=0.3, send_concurrency=1
    )
    group = Workers(environment, tmp_path)
    yield group
    group.close()


async def _settled(wa: WhatsApp, group: Workers, seconds: float = 30) -> dict[str, Any]:
    """Wait until no outbox row or event is left to do; how many rows of each ended how."""
    query = text(
        "SELECT 'outbox:' || state, count(*) FROM outbox GROUP BY state UNION ALL "
        "SELECT 'events:' || state, count(*) FROM event_deliveries GROUP BY state"
    )
    deadline = time.monotonic() + seconds
    while True:
        async with wa.b.desk.database.read() as session:
            states = {name: count for name, count in await session.execute(query)}
        if set(states) <= {"outbox:delivered", "events:done"}:
            return states
        assert time.monotonic() < deadline, f"{states}\n{group.logs()}"
        await asyncio.sleep(0.2)


def _died(group: Workers, process: Any) -> None:
    assert process.wait(timeout=30) == -9, group.logs()


async def test_killed_while_the_send_is_on_the_wire(wa: WhatsApp, workers: Workers) -> None:
    texts = await replies(wa, 3)
    wa.graph.send_delay = 60  # the first call hangs until its client goes away
    doomed = workers.start()
    await until(lambda: wa.graph.arrived >= 1, seconds=30)
    workers.kill(doomed)
    wa.graph.send_delay = 0
    workers.start()
    await _settled(wa, workers)
    assert wa.graph.abandoned == 1  # the provider dropped the call whose client hung up
    assert bodies(wa.graph.sent) == Counter(texts), workers.logs()


async def test_killed_after_the_provider_accepted_before_it_was_recorded(
    wa: WhatsApp, workers: Workers
) -> None:
    texts = await replies(wa, 3)
    _died(workers, workers.start(BALCAO_TEST_CRASH_AT="outbox-sent:whatsapp#2"))
    assert len(wa.graph.sent) == 2  # the second reply went out, its row still says "in flight"
    workers.start()
    await _settled(wa, workers)
    # the retry found the adapter's record of that key and did not call the provider again
    assert bodies(wa.graph.attempts) == Counter(texts), workers.logs()


async def test_killed_after_a_handler_ran_before_the_event_was_recorded(
    wa: WhatsApp, workers: Workers
) -> None:
    number = "5565977770099"
    new = NewManifestation(
        kind=Kind.RECLAMACAO, channel="whatsapp", description="Bebedouro", channel_address=number
    )
    receipt = await wa.desk.intake(new)
    await window_open(wa, number)
    for state in (State.ANSWERED, State.CLOSED):
        await wa.desk.transition(receipt.protocol, state, OUVIDOR, "respondida")
    # the plugin queued its "concluded" notice, then the worker died before marking the event
    _died(workers, workers.start(BALCAO_TEST_CRASH_AT="event-handled:Closed"))
    workers.start()
    states = await _settled(wa, workers)
    closed = await _attempts(wa, "Closed")
    assert closed == [2]  # handled again after the restart: at least once
    sent = Counter(json.dumps(p, sort_keys=True) for p in wa.graph.attempts)
    assert set(sent.values()) == {1}, workers.logs()  # but nothing sent twice
    assert len(sent) == states["outbox:delivered"] >= 2  # the notice and the survey
    assert any("concluída" in json.dumps(p, ensure_ascii=False) for p in wa.graph.sent)


async def _attempts(wa: WhatsApp, event_type: str) -> list[int]:
    query = text(
        "SELECT attempts FROM event_deliveries WHERE handler = 'whatsapp' AND event_type = :t"
    )
    async with wa.b.desk.database.read() as session:
        return list(await session.scalars(query, {"t": event_type}))
