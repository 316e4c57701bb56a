"""Shared by the request-path benchmark: servers in their own processes, wrk rounds, reports.

wrk (Debian: ``apt-get install wrk``) drives the load; it is written in C, so the client is
not what limits the figures. Every round runs wrk with one thread (the machine has few cores,
shared with the servers) and a Lua script whose ``done`` prints one JSON line we parse.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

__all__ = [
    "Comparison",
    "Round",
    "compare",
    "free_port",
    "lua_file",
    "running",
    "wrk",
]

# Appended to every script: counts answers the script marks as ``ok`` (thread-local ``ok``),
# and prints the summary as JSON.
_REPORT = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  local ok = 0
  for _, t in ipairs(threads) do ok = ok + (t:get("ok") or 0) end
  local e = summary.errors
  io.write(string.format(
    '\n{"requests":%d,"seconds":%.6f,"non2xx":%d,"errors":%d,"timeouts":%d,' ..
    '"p50_ms":%.3f,"p99_ms":%.3f,"ok":%d}\n',
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write,
    e.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000, ok))
end
"""


@dataclass
class Round:
    """One wrk run: ``rate`` counts the answers the script counts as done (``ok`` when it
    counts them, else every 2xx/3xx answer) per second."""

    requests: int
    seconds: float
    non2xx: int
    errors: int
    timeouts: int
    p50_ms: float
    p99_ms: float
    ok: int

    @property
    def acknowledged(self) -> int:
        return self.ok or self.requests - self.non2xx

    @property
    def rate(self) -> float:
        return self.acknowledged / self.seconds


def lua_file(folder: Path, name: str, body: str) -> Path:
    path = folder / f"{name}.lua"
    path.write_text(body + _REPORT)
    return path


def wrk(url: str, script: Path, connections: int, seconds: float, *args: str) -> Round:
    """One wrk round against ``url``; extra ``args`` reach the script's ``init``."""
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s",
        "-s", str(script), url, "--", *args,
    ]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return Round(**json.loads(out.strip().splitlines()[-1]))


@dataclass
class Comparison:
    """Alternating rounds of one load against Balcão and the baseline."""

    name: str
    ours: list[Round] = field(default_factory=list)
    bare: list[Round] = field(default_factory=list)

    def ratio(self) -> float:
        return statistics.median(o.rate / b.rate for o, b in zip(self.ours, self.bare, strict=True))

    def line(self, aim: float | None) -> str:
        def span(rounds: list[Round]) -> str:
            rates = sorted(r.rate for r in rounds)
            return f"{statistics.median(rates):8.0f}/s ({rates[0]:.0f}\u2013{rates[-1]:.0f})"

        p99 = statistics.median(r.p99_ms for r in self.ours)
        failed = sum(r.non2xx + r.errors + r.timeouts for r in self.ours)
        verdict = (
            ""
            if aim is None
            else f"  aim \u2265 {aim:.2f} {'holds' if self.ratio() >= aim else 'MISSED'}"
        )
        rounds = "  ".join(
            f"{o.rate:.0f}/{b.rate:.0f}" for o, b in zip(self.ours, self.bare, strict=True)
        )
        return (
            f"{self.name:<26} Balc\u00e3o {span(self.ours)}  bare {span(self.bare)}  "
            f"ratio {self.ratio():.2f}  p99 {p99:.1f} ms  failed {failed}{verdict}\n"
            f"{'':<26} rounds (Balc\u00e3o/bare): {rounds}"
        )


def compare(
    name: str, rounds: int, ours: Callable[[], Round], bare: Callable[[], Round]
) -> Comparison:
    """``rounds`` pairs, the order swapped every round so that drift hurts both alike."""
    result = Comparison(name)
    for number in range(rounds):
        pair = [(ours, result.ours), (bare, result.bare)]
        for run, into in pair if number % 2 == 0 else reversed(pair):
            into.append(run())
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """A server process; yields its base URL once ``/health`` or ``/text`` answers."""
    with log.open("ab") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        for path in ("/health", "/text"):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + path, timeout=2).status_code == 200:
                    return
        time.sleep(0.2)
    raise SystemExit(f"the server at {base} did not start (see its log)")


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: install it (Debian: apt-get install wrk)")


def scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="balcao-wrk-"))
