"""Web form submissions per second against a running server, as a browser submits (GET the
form, POST it back with its CSRF token, ticket and an empty file field), compared with a bare
Litestar endpoint served by the same server in the same run.

    uv run python benchmarks/webform_throughput.py [--seconds 3] [--rounds 3] [--workers 8]

The server runs in its own process (uvicorn, one worker, SQLite in a temporary folder);
the client is this process. The two loads alternate for a few rounds, so that a busy machine
disturbs both alike; prints each round and the median ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

SECRET = "benchmark-secret-key-0123456789-abcdef"
FIELDS = {
    "kind": "reclamacao",
    "subject": "Restaurante universitário",
    "description": "O restaurante universitário fechou às 11h sem aviso.",
    "name": "Maria da Silva",
    "email": "maria@example.org",
    "consent": "sim",
}
_HIDDEN = re.compile(r'name="(_csrf_token|ticket)" value="([^"]*)"')


def environment(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "BALCAO_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'balcao.db'}",
        "BALCAO_SECRET_KEY": SECRET,
        "BALCAO_FILES_DIR": str(folder / "files"),
        "BALCAO_CONFIG": str(folder / "balcao.toml"),
        "BALCAO_WEBFORM_RATE_LIMIT_PER_HOUR": "100000000",
        "BALCAO_WEBFORM_MIN_FILL_SECONDS": "0",
        "BALCAO_LOG_LEVEL": "WARNING",
    }


def serve(port: int) -> None:
    """The server process: the balcão with the web form and one bare endpoint."""
    import uvicorn
    from litestar import MediaType, get

    import balcao_webform
    from balcao import ChannelSpec, create_app, hookimpl, load_settings

    @get("/ping", media_type=MediaType.TEXT, include_in_schema=False)
    async def ping() -> str:
        return "pong"

    class Bare:
        @hookimpl
        def balcao_register_channels(self) -> list[ChannelSpec]:
            return [ChannelSpec(name="bare", title="Bare", route_handlers=[ping])]

    app = create_app(
        load_settings(),
        plugins=[("webform", balcao_webform), ("bare", Bare())],
        load_entrypoints=False,
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False)


async def bare_worker(client: httpx.AsyncClient, until: float) -> int:
    done = 0
    while time.perf_counter() < until:
        response = await client.get("/channels/bare/ping")
        done += response.status_code == 200
    return done


async def form_worker(client: httpx.AsyncClient, until: float) -> int:
    done = 0
    while time.perf_counter() < until:
        page = await client.get("/channels/webform/")
        hidden = dict(_HIDDEN.findall(page.text))
        response = await client.post(
            "/channels/webform/",
            data={**FIELDS, **hidden},
            files=[("attachments", ("", b"", "application/octet-stream"))],
        )
        done += response.status_code == 201
    return done


async def measure(url: str, worker: object, seconds: float, workers: int) -> float:
    clients = [httpx.AsyncClient(base_url=url, timeout=30) for _ in range(workers)]
    until = time.perf_counter() + seconds
    started = time.perf_counter()
    counts = await asyncio.gather(*(worker(c, until) for c in clients))  # type: ignore[operator]
    elapsed = time.perf_counter() - started
    for client in clients:
        await client.aclose()
    return sum(counts) / elapsed


def wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(seconds: float, rounds: int, workers: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="webform-bench-"))
    (folder / "balcao.toml").write_text('ouvidoria_name = "Ouvidoria"\n')
    env, port = environment(folder), free_port()
    balcao = shutil.which("balcao", path=str(Path(sys.executable).parent)) or "balcao"
    subprocess.run([balcao, "db", "upgrade"], env=env, check=True, capture_output=True)
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)], env=env)
    url = f"http://127.0.0.1:{port}"
    print(f"web form benchmark: {workers} concurrent clients, {rounds} rounds of {seconds:.0f} s")
    print("round   bare requests/s   form submissions/s   ratio")
    ratios = []
    try:
        wait_until_up(url)
        asyncio.run(measure(url, form_worker, 2.0, workers))  # warm-up
        for number in range(1, rounds + 1):
            bare = asyncio.run(measure(url, bare_worker, seconds, workers))
            form = asyncio.run(measure(url, form_worker, seconds, workers))
            ratios.append(form / bare)
            print(f"{number:5d}   {bare:15.1f}   {form:18.1f}   {form / bare:5.3f}")
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    median = statistics.median(ratios)
    print(f"median ratio submissions / bare requests: {median:.3f} (aim >= 0.15)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
    else:
        run(args.seconds, args.rounds, args.workers)


if __name__ == "__main__":
    main()
