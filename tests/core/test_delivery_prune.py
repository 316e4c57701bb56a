"""Finished work is deleted after ``delivery_retention_days`` (by the worker's periodic job
and by ``balcao deliveries prune``), in chunks; dead letters stay until replayed or purged,
and what de-duplication needs stays for the whole retention."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).parent))
from test_cli import one_line_error, run
from test_durable_events import Flaky, Recorder

from balcao import Actor, ConfigError, Kind, NewManifestation, load_settings
from balcao._delivery import prune as pruning
from balcao._delivery.prune import prune
from balcao.testing import Balcao, RecordingChannel
from balcao.testing._harness import TEST_SECRET

STAFF = Actor(kind="user", name="atendente@example.org", role="atendente")
MONTH = dt.timedelta(days=30)
COUNTS = text(
    "SELECT 'outbox', state, count(*) FROM outbox GROUP BY state UNION ALL "
    "SELECT 'inbound', state, count(*) FROM inbound_events GROUP BY state UNION ALL "
    "SELECT 'events', state, count(*) FROM event_deliveries GROUP BY state"
)


async def _counts(b: Balcao) -> dict[tuple[str, str], int]:
    async with b.desk.database.read() as session:
        return {(q, s): n for q, s, n in await session.execute(COUNTS)}


async def _some_of_everything(b: Balcao, channel: RecordingChannel, n: int = 0) -> str:
    """A case from an inbound message, a reply to it; the worker does all of it."""
    sender = f"55659{n:08d}"
    body = {"id": f"m{n}", "sender": sender, "text": "A biblioteca está fechada."}
    assert (await b.client.post("/channels/fake/inbound", json=body)).json() == {"stored": True}
    await b.run_worker()
    found = await b.desk.find_open_by_address("fake", sender)
    assert found is not None
    await b.desk.reply(found.protocol, "Reaberta amanhã.", STAFF)
    await b.run_worker()
    return str(body["id"])


@pytest.fixture
async def b(make_balcao, recording_channel: RecordingChannel) -> Balcao:  # type: ignore[no-untyped-def]
    return await make_balcao(plugins=[("fake", recording_channel), ("recorder", Recorder())])


async def test_what_finished_before_the_retention_goes_and_the_rest_stays(
    b: Balcao, recording_channel: RecordingChannel
) -> None:
    old_id = await _some_of_everything(b, recording_channel, 1)
    b.clock.advance(days=29)
    # still within the retention: the old event's id still refuses a late redelivery
    late = {"id": old_id, "sender": "5565900000001", "text": "A biblioteca está fechada."}
    assert (await b.client.post("/channels/fake/inbound", json=late)).json() == {"stored": False}
    await _some_of_everything(b, recording_channel, 2)
    before = await _counts(b)
    assert await prune(b.desk, MONTH) == {"outbox": 0, "inbound": 0, "events": 0}
    b.clock.advance(days=2)  # the first lot is 31 days old, the second 2 days
    deleted = await prune(b.desk, MONTH)
    assert deleted == {"outbox": 1, "inbound": 1, "events": before[("events", "done")] // 2}
    after = await _counts(b)
    assert after[("outbox", "delivered")] == after[("inbound", "done")] == 1
    assert len(recording_channel.sent) == 2  # nothing was sent again


async def test_dead_letters_stay_and_hold_back_the_deliveries_a_replay_could_repeat(
    make_balcao,  # type: ignore[no-untyped-def]
    recording_channel: RecordingChannel,
    tmp_path: Path,
) -> None:
    b = await make_balcao(
        plugins=[("fake", recording_channel), ("flaky", Flaky())],
        settings={"event_max_attempts": 1},
    )
    await _some_of_everything(b, recording_channel)
    dead = await _counts(b)
    assert dead[("events", "dead")] >= 1
    b.clock.advance(days=31)
    # a dead event older than the delivery: replaying it may queue that key again
    assert (await prune(b.desk, MONTH))["outbox"] == 0
    assert (await _counts(b))[("events", "dead")] == dead[("events", "dead")]
    ids = await _ids(b, "SELECT id FROM event_deliveries WHERE state = 'dead'")
    refused = _cli(b, tmp_path, "deliveries", "purge", "outbox", "999")
    assert "nenhuma entrega com falha com o número 999" in one_line_error(refused)
    purged = _cli(b, tmp_path, "deliveries", "purge", "events", *ids)
    assert purged.returncode == 0, purged.stderr
    assert ("events", "dead") not in await _counts(b)
    assert (await prune(b.desk, MONTH))["outbox"] == 1


async def test_the_worker_prunes_on_its_own_in_bounded_chunks(
    b: Balcao, recording_channel: RecordingChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    receipt = await b.desk.intake(
        NewManifestation(
            kind=Kind.RECLAMACAO, channel="fake", description="x", channel_address="5565911"
        )
    )
    for n in range(5):
        await b.desk.reply(receipt.protocol, f"resposta {n}", STAFF)
    await b.run_worker(rounds=3)
    assert (await _counts(b))[("outbox", "delivered")] == 5
    monkeypatch.setattr(pruning, "CHUNK", 2)
    b.clock.advance(days=31)
    assert (await prune(b.desk, MONTH, chunks=1))["outbox"] == 2  # one chunk, then it stops
    await b.run_worker()  # the periodic job: the rest, two at a time
    assert ("outbox", "delivered") not in await _counts(b)


async def test_the_prune_command_deletes_what_is_older_than_asked(
    b: Balcao, recording_channel: RecordingChannel, tmp_path: Path
) -> None:
    await _some_of_everything(b, recording_channel)
    async with b.desk.database.write() as session:  # the command runs on the real clock
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
        for statement in (
            "UPDATE outbox SET delivered_at = :t",
            "UPDATE inbound_events SET processed_at = :t",
            "UPDATE event_deliveries SET created_at = :t",
        ):
            await session.execute(text(statement), {"t": long_ago})
    kept = _cli(b, tmp_path, "deliveries", "prune", "--older-than-days", "50")
    assert kept.returncode == 0, kept.stderr
    assert "outbox          0" in kept.stdout
    too_short = _cli(b, tmp_path, "deliveries", "prune", "--older-than-days", "2")
    assert too_short.returncode == 2 and "--older-than-days" in too_short.stderr
    done = _cli(b, tmp_path, "deliveries", "prune")
    assert done.returncode == 0, done.stderr
    assert "outbox          1" in done.stdout and "inbound         1" in done.stdout
    assert await _counts(b) == {}


async def _ids(b: Balcao, query: str) -> list[str]:
    async with b.desk.database.read() as session:
        return [str(i) for i in await session.scalars(text(query))]


def _cli(b: Balcao, cwd: Path, *args: str):  # type: ignore[no-untyped-def]
    return run(
        cwd, *args, BALCAO_DATABASE_URL=b.settings.database_url, BALCAO_SECRET_KEY=TEST_SECRET
    )


def test_a_retention_shorter_than_a_redelivery_window_is_refused(tmp_path: Path) -> None:
    (tmp_path / "balcao.toml").write_text("")
    environ = {
        "BALCAO_CONFIG": str(tmp_path / "balcao.toml"),
        "BALCAO_DELIVERY_RETENTION_DAYS": "3",
    }
    with pytest.raises(ConfigError, match="BALCAO_DELIVERY_RETENTION_DAYS: use pelo menos 7"):
        load_settings(environ)
