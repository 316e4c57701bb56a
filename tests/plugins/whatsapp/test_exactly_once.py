"""Exactly once through a slow Graph API: two ``balcao worker`` processes, each send far
longer than the lease (the sender renews it while it works), and a worker SIGKILLed in the
middle of its sends."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from whatsapp_payloads import WhatsApp, envelope, value

from balcao import Actor, Citizen, Kind, NewManifestation
from balcao.testing._processes import Workers, worker_environment
from balcao_whatsapp._models import ContactRow
from balcao_whatsapp._store import address_hash

STAFF = Actor(kind="user", name="atendente@example.org", role="atendente")
LEASE = 3.0  # seconds; every send below takes longer


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[list[Workers]]:
    made: list[Workers] = []
    yield made
    for group in made:
        group.close()


async def _slow_channel(wa: WhatsApp, workdir: Path, delay: float) -> Workers:
    """Idle workers in front of a Graph API that takes ``delay`` seconds per send."""
    wa.graph.send_delay = delay
    environment = worker_environment(
        wa.b, workdir, lease_seconds=LEASE, worker_poll_seconds=1, send_concurrency=4
    )
    environment["BALCAO_WHATSAPP_TIMEOUT_SECONDS"] = "60"
    return Workers(environment, workdir)


async def replies(wa: WhatsApp, count: int = 20) -> list[str]:
    """One reply to each of ``count`` citizens who wrote a moment ago (one citizen's replies go
    out one at a time, in order, so the parallel sends are to different people)."""
    texts = []
    for n in range(count):
        number = f"55659777700{n:02d}"
        new = NewManifestation(
            kind=Kind.RECLAMACAO,
            channel="whatsapp",
            description="Bebedouro",
            channel_address=number,
        )
        receipt = await wa.b.desk.intake(new)
        await window_open(wa, number)
        texts.append(f"Resposta número {n}")
        await wa.b.desk.reply(receipt.protocol, texts[-1], STAFF)
    return texts


async def window_open(wa: WhatsApp, number: str) -> None:
    """The citizen wrote just now, on the workers' (real) clock."""
    async with wa.b.desk.database.write() as session:
        session.add(
            ContactRow(
                address_hash=address_hash(wa.b.desk, number),
                step="idle",
                anonymous=False,
                draft={},
                held=[],
                last_inbound_at=dt.datetime.now(dt.UTC),
                updated_at=dt.datetime.now(dt.UTC),
            )
        )


async def wait_delivered(wa: WhatsApp, group: Workers, count: int, seconds: float) -> None:
    """Until ``count`` of the replies (not the bot's earlier messages) are delivered."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        async with wa.b.desk.database.read() as session:
            done = await session.scalar(
                text(
                    "SELECT count(*) FROM outbox WHERE state = 'delivered' "
                    "AND message_id IS NOT NULL"
                )
            )
        if done == count:
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"{done} of {count} delivered in {seconds} s\n{group.logs()}")


def bodies(payloads: list[dict]) -> Counter[str]:
    """The replies' texts, without the heading that names the ouvidoria and the protocol."""
    return Counter(p["text"]["body"].split(":\n", 1)[-1] for p in payloads)


async def test_two_workers_deliver_20_slow_replies_exactly_once(
    wa: WhatsApp, tmp_path: Path, workers: list[Workers]
) -> None:
    group = await _slow_channel(wa, tmp_path, delay=9.0)
    workers.append(group)
    texts = await replies(wa)
    group.start(), group.start()
    await wait_delivered(wa, group, 20, seconds=60)
    assert bodies(wa.graph.sent) == Counter(texts), group.logs()
    # nobody sent anything twice: each lease was renewed for the whole send
    assert bodies(wa.graph.attempts) == Counter(texts)


async def test_a_worker_killed_mid_send_loses_and_doubles_nothing(
    wa: WhatsApp, tmp_path: Path, workers: list[Workers]
) -> None:
    group = await _slow_channel(wa, tmp_path, delay=5.0)
    workers.append(group)
    texts = await replies(wa)
    doomed, _ = group.start(), group.start()
    await until(lambda: wa.graph.arrived >= 8, seconds=30)
    group.kill(doomed)  # four of its sends are on the wire
    group.start()
    await wait_delivered(wa, group, 20, seconds=60)
    assert wa.graph.abandoned >= 1
    assert bodies(wa.graph.sent) == Counter(texts), group.logs()


async def until(condition, seconds: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def test_two_workers_process_each_conversation_in_order(
    wa: WhatsApp, tmp_path: Path, workers: list[Workers]
) -> None:
    """100 messages of 10 people, stored interleaved before any worker runs: each person has
    an open manifestation, which their messages join in the order they were sent."""
    people = [f"55659888800{c:02d}" for c in range(10)]
    for person in people:
        await wa.b.desk.intake(
            NewManifestation(
                kind=Kind.RECLAMACAO,
                channel="whatsapp",
                description=f"{person} caso",
                citizen=Citizen(name="Pessoa", whatsapp=person),
                channel_address=person,
            )
        )
    for m in range(10):
        for person in people:
            await wa.post(envelope(value(messages=[wa.text(f"{person} m{m}", sender=person)])))
    group = Workers(worker_environment(wa.b, tmp_path, send_concurrency=4), tmp_path)
    workers.append(group)
    group.start(), group.start()
    await _wait_processed(wa, group, 100, seconds=120)
    async with wa.b.desk.database.read() as session:
        rows = await session.execute(
            text(
                "SELECT f.protocol, m.text FROM messages m "
                "JOIN manifestations f ON f.id = m.manifestation_id "
                "WHERE m.direction = 'inbound' AND m.text LIKE '% m%' ORDER BY m.id"
            )
        )
        by_case: dict[str, list[str]] = {}
        for protocol, body in rows:
            by_case.setdefault(protocol, []).append(body)
    assert sorted(by_case.values()) == [[f"{p} m{m}" for m in range(10)] for p in people]


async def _wait_processed(wa: WhatsApp, group: Workers, count: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        async with wa.b.desk.database.read() as session:
            done = await session.scalar(
                text("SELECT count(*) FROM inbound_events WHERE state = 'done'")
            )
        if done == count:
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"{done} of {count} processed in {seconds} s\n{group.logs()}")
