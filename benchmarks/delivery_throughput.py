"""Delivery throughput of the engine: messages per second through a fake channel whose every
send takes 0 ms or 200 ms, with 1 and 2 workers, and the p99 time from the commit of a
delivery to its send.

The workers are delivery engines in this process, each with its own claims, lanes and
leases, sharing one database (a fresh SQLite file, or ``--database-url`` for PostgreSQL,
which must be an empty database the script migrates). Each delivery is enqueued in its own
transaction while the workers run, so commit-to-send includes the wake-up. The channel's
rate limit is lifted (``sends_per_second``) so that the figure is the engine's; the
concurrency is ``send_concurrency`` (4) per worker.

    uv run python benchmarks/delivery_throughput.py [--messages N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from balcao import ChannelSpec, DeliveryReceipt, OutboundMessage, hookimpl, load_settings
from balcao._runtime import build_runtime
from balcao._worker import Worker


class Channel:
    """Sends by sleeping ``latency`` seconds; notes when each key was sent."""

    def __init__(self) -> None:
        self.latency, self.expected = 0.0, 0
        self.sent: dict[str, float] = {}
        self.all_sent = asyncio.Event()

    def expect(self, latency: float, messages: int) -> None:
        self.latency, self.expected, self.sent = latency, messages, {}
        self.all_sent = asyncio.Event()

    async def send(self, message: OutboundMessage) -> DeliveryReceipt:
        await asyncio.sleep(self.latency)
        self.sent[message.idempotency_key] = time.monotonic()
        if len(self.sent) >= self.expected:
            self.all_sent.set()
        return DeliveryReceipt(external_id=message.idempotency_key)

    @hookimpl
    def balcao_register_channels(self) -> list[ChannelSpec]:
        return [ChannelSpec(name="bench", title="Bench", adapter=lambda config, desk: self)]


async def run(url: str, messages: int) -> None:
    channel = Channel()
    settings = load_settings(
        {}, database_url=url, secret_key="b" * 40, sends_per_second=100_000, lease_seconds=30
    )
    runtime = build_runtime(settings, plugins=[("bench", channel)], load_entrypoints=False)
    await runtime.upgrade_database()
    print(f"{'latency':>8} {'workers':>8} {'messages':>9} {'msg/s':>8} {'p99 commit→send':>16}")
    for latency in (0.0, 0.2):
        for workers in (1, 2):
            channel.latency, channel.sent = latency, {}
            rate, p99 = await _round(
                runtime.desk, workers, messages, channel, f"{latency}-{workers}"
            )
            print(
                f"{latency * 1000:>6.0f}ms {workers:>8} {messages:>9} {rate:>8.1f} {p99:>14.1f}ms"
            )
    await runtime.close()


async def _round(
    desk: Any, workers: int, messages: int, channel: Channel, tag: str
) -> tuple[float, float]:
    engines = [Worker(desk) for _ in range(workers)]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(e.run_forever(stop)) for e in engines]
    committed: dict[str, float] = {}
    start = time.monotonic()
    for n in range(messages):
        key = f"{tag}:{n}"
        await desk.enqueue("bench", idempotency_key=key, text="olá")
        committed[key] = time.monotonic()
    await channel.all_sent.wait()
    elapsed = time.monotonic() - start
    stop.set()
    await asyncio.gather(*tasks)
    delays = sorted((channel.sent[k] - committed[k]) * 1000 for k in committed)
    await _check_once(desk, tag, messages)
    return messages / elapsed, statistics.quantiles(delays, n=100)[98]


async def _check_once(desk: Any, tag: str, messages: int) -> None:
    async with desk.database.read() as session:
        delivered = await session.scalar(
            text("SELECT count(*) FROM outbox WHERE state = 'delivered' AND receipt LIKE :t"),
            {"t": f"{tag}:%"},
        )
    assert delivered == messages, f"{delivered} of {messages} delivered"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(workdir) / 'bench.db'}"
        asyncio.run(run(url, args.messages))


if __name__ == "__main__":
    main()
