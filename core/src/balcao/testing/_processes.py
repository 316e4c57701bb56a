"""``balcao worker`` and ``balcao serve`` processes against a test's database, to be
started, killed and waited on."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from balcao.testing._harness import Balcao

_BUNDLED = ("meet", "webform", "falabr_export", "whatsapp", "email")


def worker_environment(b: Balcao, workdir: Path, **settings: Any) -> dict[str, str]:
    """The test balcão's settings as ``BALCAO_*`` variables; bundled plugins the test did
    not install are disabled (their tables are not in the test's database)."""
    installed = set(b.runtime.host.active_names())
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "BALCAO_DATABASE_URL": b.settings.database_url,
        "BALCAO_SECRET_KEY": b.settings.secret_key or "",
        "BALCAO_FILES_DIR": str(workdir / "files"),
        "BALCAO_DISABLE_PLUGINS": ",".join(p for p in _BUNDLED if p not in installed),
        "BALCAO_LOG_LEVEL": "WARNING",
    }
    for plugin, config in b.settings.plugins.items():
        for name, value in config.items():
            environment[f"BALCAO_{plugin.upper()}_{name.upper()}"] = str(value)
    environment.update({f"BALCAO_{k.upper()}": str(v) for k, v in settings.items()})
    return environment


class Workers:
    """Worker processes sharing one environment; every one is killed when the test ends."""

    def __init__(self, environment: dict[str, str], workdir: Path) -> None:
        self.environment = environment
        self.workdir = workdir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, *command: str, **extra: str) -> subprocess.Popen[bytes]:
        """``balcao worker`` (or ``balcao <command>``), with ``extra`` variables."""
        log = (self.workdir / f"worker-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - this Python, the balcao module
            [sys.executable, "-m", "balcao", *(command or ["worker"])],
            cwd=self.workdir,
            env={**self.environment, **extra},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def serve(self, **extra: str) -> tuple[subprocess.Popen[bytes], str]:
        """``balcao serve`` on a free port, once it answers; the process and its address."""
        port = _free_port()
        process = self.start("serve", "--port", str(port), **extra)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"balcao serve exited\n{self.logs()}"
            assert time.monotonic() < deadline, f"balcao serve did not answer\n{self.logs()}"
            try:
                httpx.get(f"{url}/health", timeout=1)
                return process, url
            except httpx.TransportError:
                time.sleep(0.1)

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.workdir.glob("worker-*.log")))

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill(process)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
