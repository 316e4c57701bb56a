"""WhatsApp webhook throughput: signed single-message payloads against a running server.

Starts the balcão (uvicorn, embedded worker, as ``balcao serve`` does) in a subprocess with
the WhatsApp channel and a bare Litestar POST endpoint on the same app, then measures, in the
same run: requests/s and p99 latency of the bare endpoint and of the webhook (each payload a
new message id, every payload replayed three times), and finally checks that every message
was registered exactly once (zero lost, zero duplicated).

    uv run python benchmarks/whatsapp_webhook.py                  # SQLite
    uv run python benchmarks/whatsapp_webhook.py --postgres URL   # PostgreSQL
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

SECRET = "benchmark-app-secret"
KEY = "benchmark-secret-key-that-is-long-enough-0"
PHONE_ID = "106540352242922"
_WARM = 50


# -- the server (runs in a subprocess) --------------------------------------------------------


def serve(database_url: str, port: int, files: str, worker: bool) -> None:
    import uvicorn
    from litestar import post

    import balcao_whatsapp
    from balcao import ChannelSpec, create_app, hookimpl, load_settings

    @post("/bare", status_code=200, opt={"exclude_from_csrf": True})
    async def bare(body: bytes) -> dict[str, bool]:
        return {"ok": True}

    class Bare:
        @hookimpl
        def balcao_register_channels(self) -> list[ChannelSpec]:
            return [ChannelSpec(name="bench", title="Bench", route_handlers=[bare])]

    today = dt.date.today()
    settings = load_settings(
        {},
        database_url=database_url,
        secret_key=KEY,
        files_dir=files,
        log_level="WARNING",
        # closed all along: every first message registers a manifestation right away
        closures=[
            {
                "start": str(today - dt.timedelta(days=1)),
                "end": str(today + dt.timedelta(days=2)),
                "reason": "benchmark",
            }
        ],
        plugins={
            "whatsapp": {
                "app_secret": SECRET,
                "verify_token": "v",
                "access_token": "t",
                "phone_number_id": PHONE_ID,
                "graph_url": "http://127.0.0.1:9",
            }
        },
    )
    app = create_app(
        settings,
        plugins=[("whatsapp", balcao_whatsapp), ("bench", Bare())],
        load_entrypoints=False,
        embedded_worker=worker,
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# -- the client -------------------------------------------------------------------------------


def payload(n: int) -> bytes:
    message = {
        "from": f"55659{n:08d}",
        "id": f"wamid.BENCH{n:08d}",
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": f"Mensagem de teste número {n}"},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "556536158000", "phone_number_id": PHONE_ID},
        "contacts": [{"profile": {"name": "Teste"}, "wa_id": message["from"]}],
        "messages": [message],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"value": value, "field": "messages"}]}],
    }
    return json.dumps(body).encode()


def signed(body: bytes) -> dict[str, str]:
    from balcao_whatsapp import sign

    return {"Content-Type": "application/json", "X-Hub-Signature-256": sign(SECRET, body)}


async def load(base: str, path: str, bodies: list[bytes], concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)

    async def client_loop(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while not queue.empty():
            body = queue.get_nowait()
            start = time.perf_counter()
            response = await client.post(path, content=body, headers=signed(body))
            latencies.append(time.perf_counter() - start)
            errors += response.status_code != 200

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(bodies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": errors,
    }


async def counts(database_url: str) -> tuple[int, int, int]:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(database_url)
    async with engine.connect() as connection:
        pending = (
            await connection.execute(
                text("SELECT count(*) FROM inbound_events WHERE processed_at IS NULL")
            )
        ).scalar_one()
        total, distinct = (
            await connection.execute(
                text(
                    "SELECT count(*), count(DISTINCT external_id) FROM messages "
                    "WHERE channel = 'whatsapp' AND direction = 'inbound'"
                )
            )
        ).one()
    await engine.dispose()
    return int(pending), int(total), int(distinct)


async def measure(unique: int, concurrency: int, port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    bodies = [payload(n) for n in range(unique)]
    warm = [payload(10_000_000 + n) for n in range(_WARM)]
    await load(base, "/channels/bench/bare", warm, concurrency)
    await load(base, "/channels/whatsapp/webhook", warm, concurrency)
    bare = await load(base, "/channels/bench/bare", bodies * 3, concurrency)
    hook = await load(base, "/channels/whatsapp/webhook", bodies * 3, concurrency)
    print(
        f"bare POST   : {bare['rps']:8.0f} req/s  p50 {bare['p50_ms']:6.1f} ms  "
        f"p99 {bare['p99_ms']:6.1f} ms  errors {bare['errors']}"
    )
    print(
        f"webhook     : {hook['rps']:8.0f} req/s  p50 {hook['p50_ms']:6.1f} ms  "
        f"p99 {hook['p99_ms']:6.1f} ms  errors {hook['errors']}"
    )
    print(f"ratio webhook/bare: {hook['rps'] / bare['rps']:.2f}")


async def check(database_url: str, expected: int) -> None:
    deadline = time.monotonic() + 300
    while (found := await counts(database_url))[0] and time.monotonic() < deadline:  # noqa: ASYNC110 - polls another process
        await asyncio.sleep(1)
    pending, total, distinct = found
    print(
        f"messages registered: {total} for {expected} distinct ids ({distinct} distinct); "
        f"lost {expected - distinct}, duplicated {total - distinct}, unprocessed {pending}"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_postgres(url: str) -> str:
    import asyncpg  # noqa: F401 - fail early with a clear message when missing
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    async def create() -> None:
        engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text("DROP DATABASE IF EXISTS balcao_bench_whatsapp"))
            await connection.execute(text("CREATE DATABASE balcao_bench_whatsapp"))
        await engine.dispose()

    asyncio.run(create())
    return url.rsplit("/", 1)[0] + "/balcao_bench_whatsapp"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="postgresql+asyncpg://... of a server to use")
    parser.add_argument("--messages", type=int, default=500, help="distinct messages")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--serve", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), args.serve[2], args.serve[3] == "worker")
        return
    workdir = Path(tempfile.mkdtemp(prefix="balcao-bench-"))
    url = (
        fresh_postgres(args.postgres)
        if args.postgres
        else (f"sqlite+aiosqlite:///{workdir / 'balcao.db'}")
    )
    env = {
        **os.environ,
        "BALCAO_DATABASE_URL": url,
        "BALCAO_SECRET_KEY": KEY,
        "BALCAO_CONFIG": str(workdir / "none.toml"),
    }
    (workdir / "none.toml").write_text("")
    subprocess.run(["balcao", "db", "upgrade"], env=env, check=True, cwd=workdir)
    print(
        f"database: {url.split('://')[0]}, {args.messages} distinct messages x 3, "
        f"concurrency {args.concurrency}"
    )
    # throughput with the web process alone (balcao serve --no-worker), then a server with
    # the embedded worker processes everything that was acknowledged
    with running(url, env, workdir, worker=False) as port:
        asyncio.run(measure(args.messages, args.concurrency, port))
    with running(url, env, workdir, worker=True):
        asyncio.run(check(url, args.messages + _WARM))


@contextlib.contextmanager
def running(url: str, env: dict[str, str], workdir: Path, *, worker: bool) -> Iterator[int]:
    port = free_port()
    mode = "worker" if worker else "no-worker"
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", url, str(port), str(workdir / "files"), mode],
        env=env,
        cwd=workdir,
    )
    try:
        wait_for(port)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


if __name__ == "__main__":
    main()
