"""Delivery throughput of the engine: messages per second through a loopback fake channel
whose every send takes 0 ms or 200 ms, with 1 and 2 workers, and the p50/p99 time from the
commit of a delivery to its send.

The channel is an HTTP server on 127.0.0.1 (in a thread of this process) that answers each
POST after the latency and counts every message it gets; the adapter POSTs to it with httpx.
Throughput: a backlog of N deliveries is queued, then the workers start and drain it.
Commit-to-send: N more deliveries, each in its own transaction while the workers run (as fast
as one client can queue them), so it includes the wake-up and any queueing behind earlier
ones. The channel's rate limit is
lifted (``sends_per_second``) so that the figure is the engine's; the concurrency is
``send_concurrency`` (4) per worker.

- SQLite (default, a fresh file): the workers are engines in this process, as the worker
  embedded in ``balcao serve`` is (a SQLite worker is woken in-process).
- PostgreSQL (``--postgres SERVER_URL``, or ``BALCAO_BENCH_POSTGRES``): a throw-away
  database is created on that server (and dropped at the end); the workers are separate
  processes (this script with ``--worker``), woken by LISTEN/NOTIFY.

Baseline, measured in the same run: the fake channel's raw throughput, the same number of
concurrent sends (4 per worker) POSTed straight to it without the engine. The ratio is the
engine's share of it. Every round also checks that the fake got each message exactly once.

    uv run python benchmarks/delivery_throughput.py [--messages N] [--postgres SERVER_URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from balcao import ChannelSpec, DeliveryReceipt, OutboundMessage, hookimpl, load_settings
from balcao._runtime import build_runtime
from balcao._worker import Worker

SECRET = "b" * 40
CONCURRENCY = 4  # send_concurrency per worker


class FakeProvider:
    """The loopback channel: answers each POST after ``latency`` seconds and records when
    (wall clock: the worker processes share it) and how often each message came."""

    def __init__(self) -> None:
        self.latency = 0.0
        self.sent: dict[str, float] = {}
        self.counts: Counter[str] = Counter()
        self.expected = 0
        self.done = threading.Event()

    def expect(self, latency: float, messages: int) -> None:
        self.latency, self.expected = latency, messages
        self.sent, self.counts, self.done = {}, Counter(), threading.Event()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        key = json.loads(body)["key"]
        await asyncio.sleep(self.latency)
        self.counts[key] += 1
        self.sent.setdefault(key, time.time())
        if len(self.sent) >= self.expected:
            self.done.set()
        answer = json.dumps({"id": key}).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": answer})


@contextlib.contextmanager
def provider_server(provider: FakeProvider) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(
        provider, host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/send"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class LoopbackChannel:
    """The adapter: one POST per delivery to the fake provider."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client: httpx.AsyncClient | None = None

    async def send(self, message: OutboundMessage) -> DeliveryReceipt:
        if self.client is None:  # bound to the running loop
            self.client = httpx.AsyncClient(timeout=60)
        response = await self.client.post(self.url, json={"key": message.idempotency_key})
        response.raise_for_status()
        return DeliveryReceipt(external_id=response.json()["id"])

    @hookimpl
    def balcao_register_channels(self) -> list[ChannelSpec]:
        return [ChannelSpec(name="bench", title="Bench", adapter=lambda config, desk: self)]


def _runtime(url: str, channel_url: str) -> Any:
    settings = load_settings(
        {}, database_url=url, secret_key=SECRET, sends_per_second=100_000, lease_seconds=30
    )
    plugins = [("bench", LoopbackChannel(channel_url))]
    return build_runtime(settings, plugins=plugins, load_entrypoints=False)


# -- the workers ------------------------------------------------------------------------------


class InProcess:
    """Engines on this event loop (SQLite: the embedded worker of ``balcao serve``)."""

    def __init__(self, desk: Any, count: int) -> None:
        self.engines = [Worker(desk) for _ in range(count)]
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self.tasks = [asyncio.create_task(e.run_forever(self.stop)) for e in self.engines]

    async def close(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks)


class Processes:
    """``--worker`` processes (PostgreSQL), each a ``balcao worker`` with the bench channel."""

    def __init__(self, url: str, channel_url: str, count: int) -> None:
        self.command = [sys.executable, __file__, "--worker", url, channel_url]
        self.count = count
        self.processes: list[asyncio.subprocess.Process] = []

    async def start(self) -> None:
        for _ in range(self.count):
            process = await asyncio.create_subprocess_exec(
                *self.command, stdout=asyncio.subprocess.PIPE
            )
            self.processes.append(process)
        for process in self.processes:  # each says when its engine is about to run
            assert process.stdout is not None
            line = await process.stdout.readline()
            assert line.strip() == b"ready", f"worker did not start: {line!r}"

    async def close(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            await asyncio.wait_for(process.wait(), 30)


def worker_main(url: str, channel_url: str) -> None:
    async def work() -> None:
        runtime = _runtime(url, channel_url)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        print("ready", flush=True)
        try:
            await runtime.worker.run_forever(stop)
        finally:
            await runtime.close()

    asyncio.run(work())


# -- one round --------------------------------------------------------------------------------


async def _round(
    desk: Any, workers: Any, provider: FakeProvider, messages: int, latency: float
) -> tuple[float, float, float]:
    """messages/s draining a backlog, then p50 and p99 commit-to-send (ms) of deliveries
    committed one by one while the workers run."""
    tag = uuid.uuid4().hex[:8]
    provider.expect(latency, messages)
    for n in range(messages):  # the backlog, queued before the workers start
        await desk.enqueue("bench", idempotency_key=f"{tag}:b{n}", text="olá")
    await workers.start()
    try:
        start = time.time()
        await _all_sent(provider)
        rate = messages / (max(provider.sent.values()) - start)
        _once(provider)
        provider.expect(latency, messages)
        committed: dict[str, float] = {}
        for n in range(messages):
            key = f"{tag}:c{n}"
            await desk.enqueue("bench", idempotency_key=key, text="olá")
            committed[key] = time.time()
        await _all_sent(provider)
        _once(provider)
    finally:
        await workers.close()
    delays = sorted((provider.sent[k] - committed[k]) * 1000 for k in committed)
    cuts = statistics.quantiles(delays, n=100)
    return rate, cuts[49], cuts[98]


async def _all_sent(provider: FakeProvider) -> None:
    assert await asyncio.to_thread(provider.done.wait, 600), "not everything was sent"


def _once(provider: FakeProvider) -> None:
    doubled = [k for k, n in provider.counts.items() if n > 1]
    assert not doubled, f"sent more than once: {doubled[:5]}"


async def _raw(
    provider: FakeProvider, url: str, messages: int, latency: float, senders: int
) -> float:
    """The fake channel alone: ``senders`` concurrent POST loops, messages/s."""
    provider.expect(latency, messages)
    keys = iter(range(messages))

    async def sender(client: httpx.AsyncClient) -> None:
        for n in keys:
            (await client.post(url, json={"key": f"raw:{n}"})).raise_for_status()

    async with httpx.AsyncClient(timeout=60) as client:
        start = time.time()
        await asyncio.gather(*(sender(client) for _ in range(senders)))
        return messages / (time.time() - start)


async def run(url: str, messages: int, processes: bool) -> None:
    provider = FakeProvider()
    with provider_server(provider) as channel_url:
        runtime = _runtime(url, channel_url)
        await runtime.upgrade_database()
        where = "worker processes" if processes else "engines in one process"
        print(f"database: {runtime.settings.database_url.split(':')[0]}; workers: {where}")
        print(
            f"{'latency':>8} {'workers':>8} {'messages':>9} {'msg/s':>8} {'raw msg/s':>10} "
            f"{'ratio':>6} {'p50 commit→send':>16} {'p99':>9}"
        )
        for latency in (0.0, 0.2):
            for count in (1, 2):
                workers: Any = (
                    Processes(url, channel_url, count)
                    if processes
                    else InProcess(runtime.desk, count)
                )
                rate, p50, p99 = await _round(runtime.desk, workers, provider, messages, latency)
                raw = await _raw(provider, channel_url, messages, latency, CONCURRENCY * count)
                print(
                    f"{latency * 1000:>6.0f}ms {count:>8} {messages:>9} {rate:>8.1f} "
                    f"{raw:>10.1f} {rate / raw:>6.2f} {p50:>14.1f}ms {p99:>7.1f}ms"
                )
        await runtime.close()


@contextlib.contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    from sqlalchemy.engine import make_url

    from balcao.testing._database import _admin

    name = f"balcao_bench_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(False)
    finally:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BALCAO_BENCH_POSTGRES"),
        help="PostgreSQL server URL (postgresql+asyncpg://user@host/db); a throw-away "
        "database is created there",
    )
    parser.add_argument("--worker", nargs=2, metavar=("DATABASE_URL", "CHANNEL_URL"))
    args = parser.parse_args()
    if args.worker:
        worker_main(*args.worker)
        return
    if args.postgres:
        with postgres_database(args.postgres) as url:
            asyncio.run(run(url, args.messages, processes=True))
        return
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite+aiosqlite:///{Path(workdir) / 'bench.db'}"
        asyncio.run(run(url, args.messages, processes=False))


if __name__ == "__main__":
    main()
