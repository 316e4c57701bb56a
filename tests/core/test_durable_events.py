"""Lifecycle events are written with the change, delivered by the worker to each plugin on
its own, retried, and dead-lettered where an operator can see and replay them."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).parent))
from test_cli import one_line_error, run

from balcao import Closed, EventBase, State, hookimpl
from balcao.testing import Balcao
from balcao.testing._harness import TEST_SECRET


class Recorder:
    def __init__(self) -> None:
        self.events: list[EventBase] = []

    @hookimpl
    async def balcao_on_event(self, event: EventBase) -> None:
        self.events.append(event)


class Flaky(Recorder):
    """Fails until told to work."""

    working = False

    @hookimpl
    async def balcao_on_event(self, event: EventBase) -> None:
        if not self.working:
            raise RuntimeError("serviço externo fora do ar")
        self.events.append(event)


async def _states(b: Balcao, handler: str) -> list[tuple[str, int]]:
    async with b.desk.database.read() as session:
        rows = await session.execute(
            text("SELECT state, attempts FROM event_deliveries WHERE handler = :h ORDER BY id"),
            {"h": handler},
        )
        return [(r[0], r[1]) for r in rows]


async def test_events_are_written_with_the_change_and_a_rollback_writes_none(
    make_balcao,  # type: ignore[no-untyped-def]
) -> None:
    recorder = Recorder()
    b = await make_balcao(plugins=[("recorder", recorder)])
    receipt = await b.manifestation()
    # created, received, triage: written, not yet delivered
    assert [s for s, _ in await _states(b, "recorder")] == ["pending"] * 3
    event = Closed(protocol=receipt.protocol, occurred_at=b.clock.now(), state="closed")
    with pytest.raises(RuntimeError):
        await _failing_change(b, event)
    assert len(await _states(b, "recorder")) == 3
    await b.run_worker()
    names = [type(e).__name__ for e in recorder.events]
    assert names == ["ManifestationCreated", "StatusChanged", "StatusChanged"]
    assert {e.protocol for e in recorder.events} == {receipt.protocol}
    assert len({e.event_id for e in recorder.events}) == 3


async def test_a_failing_handler_is_retried_dead_lettered_and_replayed_alone(
    make_balcao,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    recorder, flaky = Recorder(), Flaky()
    b = await make_balcao(
        plugins=[("recorder", recorder), ("flaky", flaky)], settings={"event_max_attempts": 2}
    )
    receipt = await b.manifestation()
    await b.desk.transition(receipt.protocol, State.ANSWERED, _staff(), "respondida")
    await b.run_worker()
    b.clock.advance(hours=1)
    await b.run_worker()
    assert len(recorder.events) == 4  # the other plugin got every event at once
    dead = await _states(b, "flaky")
    assert dead[0] == ("dead", 2)  # the first event: tried twice, then dead
    listed = _cli(b, tmp_path, "deliveries", "list", "--queue", "events")
    assert listed.returncode == 0, listed.stderr
    assert "flaky" in listed.stdout and "serviço externo fora do ar" in listed.stdout
    assert "recorder" not in listed.stdout
    flaky.working = True
    replayed = _cli(b, tmp_path, "deliveries", "replay", "events", *_dead_ids(listed.stdout))
    assert replayed.returncode == 0, replayed.stderr
    b.clock.set(dt.datetime.now(dt.UTC))  # the command put them back at the real time
    await b.run_worker()
    assert [e.event_id for e in flaky.events] == [e.event_id for e in recorder.events]


async def test_replaying_what_is_not_dead_is_refused_in_one_line(
    balcao: Balcao, tmp_path: Path
) -> None:
    assert "nenhuma entrega com falha" in one_line_error(
        _cli(balcao, tmp_path, "deliveries", "replay", "outbox", "999")
    )
    assert "outbox" in one_line_error(_cli(balcao, tmp_path, "deliveries", "replay", "x", "1"))


async def _failing_change(b: Balcao, event: EventBase) -> None:
    async with b.desk.database.write() as session:
        await b.desk._emit(session, [event])
        raise RuntimeError("the change failed")  # its events go with it


def _cli(b: Balcao, cwd: Path, *args: str):  # type: ignore[no-untyped-def]
    return run(
        cwd, *args, BALCAO_DATABASE_URL=b.settings.database_url, BALCAO_SECRET_KEY=TEST_SECRET
    )


def _dead_ids(listing: str) -> list[str]:
    return [line.split()[1] for line in listing.splitlines() if line.startswith("events ")]


def _staff():  # type: ignore[no-untyped-def]
    from balcao import Actor

    return Actor(kind="user", name="atendente@example.org", role="atendente")
