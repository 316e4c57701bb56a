"""``/metrics`` for Prometheus (off by default, never public) and ``/ready`` for load balancers."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from balcao import Actor
from balcao._db.models import DeadlineRow
from balcao._services.heartbeat import Heartbeat
from balcao.testing import Balcao, RecordingChannel

from .server import CORE_HEAD

STAFF = Actor(kind="user", name="atendente@example.org", role="atendente")
TOKEN = "token-do-prometheus-0123456789"


def figure(page: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} (\S+)$", page, re.MULTILINE)
    assert found, f"{name} missing from:\n{page}"
    return float(found.group(1))


async def scrape(b: Balcao, **headers: str) -> str:
    answer = await b.client.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


async def with_metrics(make_balcao: Any, channel: RecordingChannel, **settings: Any) -> Balcao:
    balcao: Balcao = await make_balcao(
        plugins=[(channel.name, channel)], settings={"metrics_enabled": True, **settings}
    )
    return balcao


async def test_metrics_are_off_unless_enabled(balcao: Balcao) -> None:
    assert (await balcao.client.get("/metrics")).status_code == 404


async def test_metrics_need_the_token_or_an_allowed_address(
    make_balcao: Any, recording_channel: RecordingChannel
) -> None:
    b = await with_metrics(make_balcao, recording_channel, metrics_token=TOKEN)
    assert (await b.client.get("/metrics")).status_code == 403
    wrong = await b.client.get("/metrics", headers={"Authorization": "Bearer outro"})
    assert wrong.status_code == 403
    await scrape(b, Authorization=f"Bearer {TOKEN}")
    elsewhere = await with_metrics(make_balcao, recording_channel, metrics_allow=["10.0.0.0/8"])
    assert (await elsewhere.client.get("/metrics")).status_code == 403
    loopback = await with_metrics(make_balcao, recording_channel)  # the test client is 127.0.0.1
    await scrape(loopback)


async def test_metrics_count_requests_by_route(
    make_balcao: Any, recording_channel: RecordingChannel
) -> None:
    b = await with_metrics(make_balcao, recording_channel)
    for _ in range(3):
        await b.client.get("/health")
    page = await scrape(b)
    route = 'method="GET",route="/health",status="200"'
    assert figure(page, f"balcao_http_requests_total{{{route}}}") == 3
    assert (
        figure(page, 'balcao_http_request_duration_seconds_count{method="GET",route="/health"}')
        == 3
    )


async def test_metrics_report_backlog_dead_letters_and_failures_by_channel(
    make_balcao: Any, recording_channel: RecordingChannel
) -> None:
    b = await with_metrics(make_balcao, recording_channel)
    receipt = await b.manifestation()
    recording_channel.fail_next(1, message="número inexistente", retryable=False)
    await b.desk.reply(receipt.protocol, "Primeira resposta", STAFF)
    await b.desk.reply(receipt.protocol, "Segunda resposta", STAFF)
    await b.run_worker()
    await b.desk.reply(receipt.protocol, "Terceira resposta", STAFF)
    b.clock.advance(seconds=90)
    page = await scrape(b)
    channel = f'{{channel="{recording_channel.name}"}}'
    assert figure(page, f"balcao_outbox_dead_letters{channel}") == 1
    assert figure(page, f"balcao_deliveries_failing{channel}") == 1
    assert figure(page, "balcao_outbox_backlog") == 1
    assert figure(page, "balcao_outbox_oldest_age_seconds") == 90
    assert figure(page, "balcao_inbound_backlog") == 0


async def test_metrics_report_overdue_and_soon_due_manifestations(
    make_balcao: Any, recording_channel: RecordingChannel
) -> None:
    b = await with_metrics(make_balcao, recording_channel)
    await b.manifestation()
    page = await scrape(b)
    assert (
        figure(page, "balcao_manifestations_overdue"),
        figure(page, "balcao_manifestations_due_soon"),
    ) == (0, 0)
    async with b.desk.database.read() as session:
        due = min((await session.execute(select(DeadlineRow.due_on))).scalars())
    b.clock.set(dt.datetime.combine(due - dt.timedelta(days=1), dt.time(15), dt.UTC))
    page = await scrape(b)
    assert (
        figure(page, "balcao_manifestations_overdue"),
        figure(page, "balcao_manifestations_due_soon"),
    ) == (0, 1)
    b.clock.set(dt.datetime.combine(due + dt.timedelta(days=2), dt.time(15), dt.UTC))
    page = await scrape(b)
    assert (
        figure(page, "balcao_manifestations_overdue"),
        figure(page, "balcao_manifestations_due_soon"),
    ) == (1, 0)


async def test_metrics_report_the_worker_heartbeat_age(
    make_balcao: Any, recording_channel: RecordingChannel
) -> None:
    b = await with_metrics(make_balcao, recording_channel)
    assert figure(await scrape(b), "balcao_worker_heartbeat_age_seconds") == float("inf")
    await Heartbeat(b.desk).beat()
    b.clock.advance(seconds=42)
    assert figure(await scrape(b), "balcao_worker_heartbeat_age_seconds") == 42


async def test_ready_needs_a_recent_worker(balcao: Balcao) -> None:
    silent = await balcao.client.get("/ready")
    assert silent.status_code == 503
    assert silent.json() == {
        "status": "unavailable",
        "reasons": ["nenhum worker visto nos últimos 300 s"],
    }
    await Heartbeat(balcao.desk).beat()
    ready = await balcao.client.get("/ready")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    balcao.clock.advance(seconds=301)
    assert (await balcao.client.get("/ready")).status_code == 503


async def test_ready_is_503_with_pending_migrations(balcao: Balcao) -> None:
    await Heartbeat(balcao.desk).beat()
    async with balcao.desk.database.write() as session:
        heads = (
            (await session.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
        )
        await session.execute(
            text("UPDATE alembic_version SET version_num = '0002_staff' WHERE version_num = :v"),
            {"v": CORE_HEAD},
        )
    try:
        answer = await balcao.client.get("/ready")
    finally:
        async with balcao.desk.database.write() as session:
            await session.execute(text("DELETE FROM alembic_version"))
            for head in heads:
                await session.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": head})
    assert answer.status_code == 503
    assert answer.json()["reasons"] == [f"migrações pendentes: {CORE_HEAD}"]


async def test_dashboard_and_alerts_use_only_metrics_the_balcao_exports(
    make_balcao: Any, recording_channel: RecordingChannel
) -> None:
    b = await with_metrics(make_balcao, recording_channel)
    await b.manifestation()
    await b.desk.reply((await b.manifestation()).protocol, "Resposta", STAFF)
    recording_channel.fail_next(1, retryable=False)
    await b.run_worker()
    await b.client.get("/health")
    exported = set(re.findall(r"^(balcao_\w+)", await scrape(b), re.MULTILINE))
    folder = Path(__file__).parents[2] / "docs" / "deploy" / "monitoring"
    for name in ("balcao-alerts.yml", "balcao-dashboard.json"):
        used = set(re.findall(r"balcao_\w+", (folder / name).read_text()))
        assert used, name
        assert used <= exported, (name, used - exported)
