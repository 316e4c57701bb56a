import asyncio
import datetime as dt

from sqlalchemy import text

from balcao import Actor, JobSpec, hookimpl
from balcao._delivery.outcome import Outcome
from balcao._worker import Worker
from balcao.testing import Balcao, RecordingChannel

STAFF = Actor(kind="user", name="atendente@example.org", role="atendente")


async def _outbox(b: Balcao) -> list[tuple[str, int, str | None]]:
    async with b.desk.database.read() as session:
        rows = await session.execute(text("SELECT state, attempts, last_error FROM outbox"))
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def _message_state(b: Balcao, message_id: int) -> tuple[str, str | None]:
    async with b.desk.database.read() as session:
        row = (
            await session.execute(
                text("SELECT delivery_state, external_id FROM messages WHERE id = :id"),
                {"id": message_id},
            )
        ).one()
    return row[0], row[1]


async def test_reply_is_delivered_through_the_channel_it_came_from(
    balcao: Balcao,
    recording_channel: RecordingChannel,
) -> None:
    receipt = await balcao.desk.intake(_new("5565999990000"))
    message_id = await balcao.desk.reply(receipt.protocol, "Olá, recebemos.", STAFF)
    assert await _message_state(balcao, message_id) == ("pending", None)
    await balcao.run_worker()
    [sent] = recording_channel.sent
    assert (sent.text, sent.recipient, sent.protocol) == (
        "Olá, recebemos.",
        "5565999990000",
        receipt.protocol,
    )
    assert await _message_state(balcao, message_id) == ("sent", "fake-1")


async def test_failing_twice_then_succeeding_delivers_exactly_once(
    balcao: Balcao,
    recording_channel: RecordingChannel,
) -> None:
    receipt = await balcao.desk.intake(_new("5565999990001"))
    recording_channel.fail_next(2)
    await balcao.desk.reply(receipt.protocol, "Resposta", STAFF)
    await balcao.run_worker()
    assert await _outbox(balcao) == [("pending", 1, "falha simulada")]
    await balcao.run_worker()  # backoff not elapsed: nothing happens
    assert len(recording_channel.attempts) == 1
    balcao.clock.advance(seconds=10)
    await balcao.run_worker()
    balcao.clock.advance(seconds=20)
    await balcao.run_worker()
    balcao.clock.advance(minutes=5)
    await balcao.run_worker(rounds=3)
    assert [m.text for m in recording_channel.sent] == ["Resposta"]
    assert [m.attempt for m in recording_channel.attempts] == [1, 2, 3]
    assert {m.idempotency_key for m in recording_channel.attempts} == {
        recording_channel.attempts[0].idempotency_key
    }
    assert (await _outbox(balcao))[0][:2] == ("delivered", 3)


async def test_dead_letter_after_max_attempts_marks_the_message_failed(
    make_balcao,
    recording_channel: RecordingChannel,  # type: ignore[no-untyped-def]
) -> None:
    b = await make_balcao(
        plugins=[("fake", recording_channel)], settings={"outbox_max_attempts": 3}
    )
    receipt = await b.desk.intake(_new("5565999990002"))
    recording_channel.fail_next(10, message="número inexistente")
    message_id = await b.desk.reply(receipt.protocol, "Resposta", STAFF)
    for _ in range(5):
        await b.run_worker()
        b.clock.advance(hours=1)
    assert len(recording_channel.attempts) == 3
    assert (await _outbox(b))[0][:2] == ("dead", 3)
    assert (await _message_state(b, message_id))[0] == "failed"


async def test_non_retryable_failure_goes_straight_to_dead_letter(
    balcao: Balcao,
    recording_channel: RecordingChannel,
) -> None:
    receipt = await balcao.desk.intake(_new("5565999990003"))
    recording_channel.fail_next(1, message="destinatário bloqueou", retryable=False)
    await balcao.desk.reply(receipt.protocol, "Resposta", STAFF)
    await balcao.run_worker()
    assert await _outbox(balcao) == [("dead", 1, "destinatário bloqueou")]


async def test_a_killed_workers_claimed_delivery_is_picked_up_again(
    balcao: Balcao,
    recording_channel: RecordingChannel,
) -> None:
    receipt = await balcao.desk.intake(_new("5565999990004"))
    await balcao.desk.reply(receipt.protocol, "Resposta", STAFF)
    dead = Worker(balcao.desk)
    async with balcao.desk.database.write() as session:  # a worker claims, then dies
        [claimed] = await dead._claim(session, dead.queues[2])
    assert claimed.row.channel == "fake"
    await balcao.run_worker()
    assert recording_channel.sent == []  # the lease still holds
    balcao.clock.advance(seconds=balcao.settings.lease_seconds + 1)
    await balcao.run_worker()
    assert [m.text for m in recording_channel.sent] == ["Resposta"]
    assert (await _outbox(balcao))[0][:2] == ("delivered", 2)
    # the dead worker's late answer changes nothing: the row is no longer its own
    await dead._settle(dead.queues[2], claimed, Outcome(False, error="tarde demais"))
    assert (await _outbox(balcao))[0] == ("delivered", 2, None)


async def test_enqueue_is_idempotent_per_key(
    balcao: Balcao,
    recording_channel: RecordingChannel,
) -> None:
    assert await balcao.desk.enqueue("fake", idempotency_key="lembrete:1", text="Amanhã às 10h")
    assert not await balcao.desk.enqueue("fake", idempotency_key="lembrete:1", text="Amanhã")
    await balcao.run_worker()
    assert [m.text for m in recording_channel.sent] == ["Amanhã às 10h"]


async def test_inbound_event_is_stored_once_then_processed_by_the_worker(
    balcao: Balcao,
) -> None:
    body = {"id": "m1", "sender": "5565988887777", "text": "A biblioteca está fechada."}
    first = await balcao.client.post("/channels/fake/inbound", json=body)
    again = await balcao.client.post("/channels/fake/inbound", json=body)
    assert (first.json(), again.json()) == ({"stored": True}, {"stored": False})
    await balcao.run_worker()
    found = await balcao.desk.find_open_by_address("fake", "5565988887777")
    assert found is not None and found.description == "A biblioteca está fechada."
    await balcao.client.post(
        "/channels/fake/inbound", json={**body, "id": "m2", "text": "Continua fechada."}
    )
    await balcao.run_worker()
    async with balcao.desk.database.read() as session:
        texts = (
            (
                await session.execute(
                    text(
                        "SELECT m.text FROM messages m "
                        "JOIN manifestations f ON f.id = m.manifestation_id "
                        "WHERE f.protocol = :p ORDER BY m.id"
                    ),
                    {"p": found.protocol},
                )
            )
            .scalars()
            .all()
        )
    assert texts == ["A biblioteca está fechada.", "Continua fechada."]


async def test_a_failing_inbound_processor_keeps_the_event_for_retry(
    make_balcao,  # type: ignore[no-untyped-def]
) -> None:
    class Flaky(RecordingChannel):
        calls = 0

        async def process(self, body, desk):  # type: ignore[no-untyped-def]
            Flaky.calls += 1
            if Flaky.calls == 1:
                raise RuntimeError("banco indisponível")
            await super().process(body, desk)

    channel = Flaky()
    b = await make_balcao(plugins=[("fake", channel)])
    await b.client.post(
        "/channels/fake/inbound", json={"id": "x1", "sender": "55659", "text": "olá"}
    )
    await b.run_worker()
    assert await b.desk.find_open_by_address("fake", "55659") is None
    b.clock.advance(minutes=1)
    await b.run_worker()
    assert await b.desk.find_open_by_address("fake", "55659") is not None


async def test_hook_balcao_register_jobs_runs_once_per_interval(
    make_balcao,  # type: ignore[no-untyped-def]
) -> None:
    runs: list[dt.datetime] = []

    class Poller:
        @hookimpl
        def balcao_register_jobs(self) -> list[JobSpec]:
            async def poll(desk):  # type: ignore[no-untyped-def]
                runs.append(desk.now())

            return [JobSpec(name="poller", run=poll, every=dt.timedelta(minutes=10))]

    b = await make_balcao(plugins=[("poller", Poller())])
    await b.run_worker(rounds=3)
    b.clock.advance(minutes=10)
    await b.run_worker(rounds=2)
    assert len(runs) == 2


def _new(address: str):  # type: ignore[no-untyped-def]
    from balcao import Kind, NewManifestation

    return NewManifestation(
        kind=Kind.RECLAMACAO, channel="fake", description="Problema", channel_address=address
    )


async def test_two_workers_never_deliver_the_same_message_twice(
    balcao: Balcao, recording_channel: RecordingChannel
) -> None:
    receipt = await balcao.desk.intake(_new("5565999990009"))
    for i in range(30):
        await balcao.desk.reply(receipt.protocol, f"mensagem {i}", STAFF)
    first, second = Worker(balcao.desk), Worker(balcao.desk)
    await asyncio.gather(first.run_once(), second.run_once(), first.run_once())
    texts = sorted(m.text for m in recording_channel.sent)
    assert texts == sorted(f"mensagem {i}" for i in range(30))
