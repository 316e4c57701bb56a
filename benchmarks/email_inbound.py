"""E-mail gateway throughput: ``POST /channels/email/inbound`` against a bare Litestar POST.

Starts the balcão (uvicorn, as ``balcao serve`` does, worker off so only the route is
measured) in a subprocess with the e-mail channel and a bare POST endpoint on the same app,
then runs ``wrk`` against both in the same run. Every request to the gateway carries a new
Message-ID (so each one is stored, not acknowledged as a duplicate); the body is a realistic
Gmail-style multipart message of about 2 KB.

    uv run python benchmarks/email_inbound.py [--seconds 5] [--connections 16]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

KEY = "benchmark-secret-key-that-is-long-enough-0"
TOKEN = "benchmark-gateway-token"
_MESSAGE = (
    "MIME-Version: 1.0\r\nDate: Tue, 1 Dec 2026 10:00:00 -0400\r\n"
    "Message-ID: <MSGID@mail.gmail.example>\r\n"
    "Subject: =?UTF-8?Q?Restaurante_universit=C3=A1rio?=\r\n"
    "From: Maria <maria@gmail.example>\r\nTo: ouvidoria@ufmt.example.br\r\n"
    'Content-Type: multipart/alternative; boundary="b1"\r\n\r\n'
    '--b1\r\nContent-Type: text/plain; charset="UTF-8"\r\n\r\n'
    + "O restaurante universitario fechou cedo de novo. " * 15
    + '\r\n--b1\r\nContent-Type: text/html; charset="UTF-8"\r\n\r\n<div>'
    + "O restaurante universitario fechou cedo de novo. " * 15
    + "</div>\r\n--b1--\r\n"
)
_LUA = """
local counter = 0
local template = [[%s]]
function init(args) prefix = tostring(math.random(1, 1e9)) end
function request()
  counter = counter + 1
  local body = template:gsub("MSGID", prefix .. "." .. counter)
  return wrk.format("POST", nil, {
    ["Authorization"] = "Bearer %s", ["Content-Type"] = "message/rfc822"}, body)
end
"""


def serve(database_url: str, port: int, files: str) -> None:
    import uvicorn
    from litestar import post

    import balcao_email
    from balcao import ChannelSpec, create_app, hookimpl, load_settings

    @post("/bare", status_code=202, opt={"exclude_from_csrf": True})
    async def bare(body: bytes) -> dict[str, bool]:
        return {"stored": True, "duplicate": False}

    class Bare:
        @hookimpl
        def balcao_register_channels(self) -> list[ChannelSpec]:
            return [ChannelSpec(name="bench", title="Bench", route_handlers=[bare])]

    settings = load_settings(
        {},
        database_url=database_url,
        secret_key=KEY,
        files_dir=files,
        log_level="WARNING",
        plugins={"email": {"from_address": "ouvidoria@ufmt.example.br", "inbound_token": TOKEN}},
    )
    app = create_app(
        settings,
        plugins=[("email", balcao_email), ("bench", Bare())],
        load_entrypoints=False,
        embedded_worker=False,
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def wrk(url: str, script: Path, seconds: int, connections: int) -> tuple[float, str]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+(\S+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, f"p99 {p99.group(1) if p99 else '?'}, non-2xx {non2xx.group(1) if non2xx else 0}"


@contextlib.contextmanager
def server(database_url: str, port: int, files: str) -> Iterator[None]:
    code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
    code += f"import email_inbound as b; b.serve({database_url!r}, {port}, {files!r})"
    process = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    break
            time.sleep(0.3)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed (apt-get install wrk)")
    with tempfile.TemporaryDirectory() as folder:
        database_url = args.postgres or f"sqlite+aiosqlite:///{folder}/bench.db"
        environ = {**os.environ, "BALCAO_DATABASE_URL": database_url, "BALCAO_SECRET_KEY": KEY}
        subprocess.run([sys.executable, "-m", "balcao", "db", "upgrade"], env=environ, check=True)
        script = Path(folder) / "post.lua"
        script.write_text(_LUA % (_MESSAGE, TOKEN))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        with server(database_url, port, f"{folder}/files"):
            base = f"http://127.0.0.1:{port}"
            wrk(f"{base}/channels/bench/bare", script, 1, args.connections)  # warm up
            wrk(f"{base}/channels/email/inbound", script, 1, args.connections)
            bare, bare_notes = wrk(
                f"{base}/channels/bench/bare", script, args.seconds, args.connections
            )
            gate, gate_notes = wrk(
                f"{base}/channels/email/inbound", script, args.seconds, args.connections
            )
    print(f"bare POST     : {bare:8.0f} req/s  ({bare_notes})")
    print(f"email gateway : {gate:8.0f} req/s  ({gate_notes})")
    print(f"ratio gateway/bare: {gate / bare:.2f}")


if __name__ == "__main__":
    main()
