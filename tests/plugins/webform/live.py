"""A real balcão served by uvicorn on 127.0.0.1 in a background thread (for the browser
test): its own SQLite database migrated with ``balcao db upgrade`` (in-process), the web
form plugin."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path

import balcao_webform
from balcao import create_app, load_settings
from balcao.testing import TEST_SECRET, LoopbackServer, run_cli


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


def _migrate(folder: Path, env: Mapping[str, str]) -> None:
    done = run_cli("db", "upgrade", cwd=folder, env=env)
    assert done.returncode == 0, done.stderr


@contextlib.contextmanager
def serve(folder: Path, webform: Mapping[str, str], trusted: str = "") -> Iterator[str]:
    """Yield the base URL of a running balcão; stop it afterwards. ``trusted``: the
    proxies whose X-Forwarded-For counts (comma-separated networks)."""
    env = _environment(folder, webform, trusted)
    _migrate(folder, env)
    app = create_app(
        load_settings(env),
        plugins=[("webform", balcao_webform)],
        load_entrypoints=False,
        environ=env,
    )
    with LoopbackServer(app, lifespan="on", proxy_headers=False) as served:
        yield served.url
