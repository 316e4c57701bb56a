"""Run ``balcao`` commands and a ``balcao serve`` process as an operator would."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from balcao.testing import CliResult, balcao_environ, plugins_disabled, run_balcao
from balcao.testing._database import _admin

# the e-mail plugin stays installed in these deployments, as it always was here
ONLY_CORE = plugins_disabled(keep=("email",))
SECRET = "k" * 40


def _settings(env: dict[str, str]) -> dict[str, str]:
    return {**ONLY_CORE, "BALCAO_SECRET_KEY": SECRET, "BALCAO_CONFIG": os.devnull, **env}


def environment(cwd: Path, **env: str) -> dict[str, str]:
    """A clean environment: the test's variables, none inherited from the caller."""
    return balcao_environ(_settings(env))


def balcao(cwd: Path, *args: str, stdin: str = "", **env: str) -> CliResult:
    """``balcao *args`` as a child process: these tests read what the program prints."""
    return run_balcao(
        *args,
        cwd=cwd,
        env=_settings(env),
        stdin=stdin,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[str]) -> None:
    for _ in range(240):
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.communicate()}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.25)
    raise AssertionError(f"server did not answer at {url}")


@dataclass
class Served:
    url: str
    process: subprocess.Popen[str]
    stdout: str = ""
    stderr: str = ""
    lines: list[str] = field(default_factory=list)


@contextlib.contextmanager
def serve(cwd: Path, *args: str, **env: str) -> Iterator[Served]:
    """``balcao serve`` on a free port; after the block, its output (the process stopped)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "balcao", "serve", "--port", str(port), *args],
        cwd=cwd,
        env=environment(cwd, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    served = Served(f"http://127.0.0.1:{port}", process)
    try:
        wait_until_up(f"{served.url}/health", process)
        yield served
    finally:
        process.terminate()
        served.stdout, served.stderr = process.communicate(timeout=60)
        served.lines = served.stderr.strip().splitlines()


def _admin_blocking(server_url: str, statement: str) -> None:
    # on a thread of its own: async tests call this with their event loop running
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _admin(server_url, statement)).result()


@contextlib.contextmanager
def database(folder: Path) -> Iterator[str]:
    """An empty database: on the suite's PostgreSQL server when one is configured (created
    and dropped here), else a SQLite file in ``folder``."""
    server = os.environ.get("BALCAO_TEST_DATABASE_URL")
    if not server:
        yield f"sqlite+aiosqlite:///{folder / 'balcao.db'}"
        return
    from sqlalchemy.engine import make_url

    name = f"balcao_ops_{uuid.uuid4().hex[:10]}"
    _admin_blocking(server, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(False)
    finally:
        _admin_blocking(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _core_head() -> str:
    import balcao

    versions = Path(balcao.__file__).parent / "_db" / "migrations" / "versions"
    return sorted(p.stem for p in versions.glob("0*.py"))[-1]


# The core's newest migration: the revision a current database is at.
CORE_HEAD = _core_head()
