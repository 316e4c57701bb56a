"""A real balcão served by uvicorn on 127.0.0.1 in a background thread (for the browser
test): its own SQLite database migrated with ``balcao db upgrade``, the web form plugin."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import uvicorn

import balcao_webform
from balcao import create_app, load_settings
from balcao.testing import TEST_SECRET


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(folder: Path, webform: Mapping[str, str], trusted: str) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        "BALCAO_TRUSTED_PROXIES": trusted,
        "BALCAO_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'balcao.db'}",
        "BALCAO_SECRET_KEY": TEST_SECRET,
        "BALCAO_FILES_DIR": str(folder / "files"),
        "BALCAO_CONFIG": str(folder / "balcao.toml"),
    }
    (folder / "balcao.toml").write_text('ouvidoria_name = "Ouvidoria-Geral da UFMT"\n')
    env |= {f"BALCAO_WEBFORM_{k.upper()}": v for k, v in webform.items()}
    return env


def _migrate(env: Mapping[str, str]) -> None:
    program = shutil.which("balcao", path=str(Path(sys.executable).parent))
    assert program, "the 'balcao' command is not installed next to this Python"
    done = subprocess.run(
        [program, "db", "upgrade"], env={**os.environ, **env}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


@contextlib.contextmanager
def serve(folder: Path, webform: Mapping[str, str], trusted: str = "") -> Iterator[str]:
    """Yield the base URL of a running balcão; stop it afterwards. ``trusted``: the
    proxies whose X-Forwarded-For counts (comma-separated networks)."""
    env = _environment(folder, webform, trusted)
    _migrate(env)
    app = create_app(
        load_settings(env),
        plugins=[("webform", balcao_webform)],
        load_entrypoints=False,
        environ=env,
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
