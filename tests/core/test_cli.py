"""The ``balcao`` command line: in-process through Click's runner, with the program's own
error handling; ``serve`` as a child process, since the process and its port are the point."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx

from balcao import create_app, load_settings
from balcao.testing import CliResult, balcao_environ, plugins_disabled, run_cli

ONLY_CORE = plugins_disabled()


def run(cwd: Path, *args: str, stdin: str = "", **env: str) -> CliResult:
    return run_cli(
        *args, cwd=cwd, stdin=stdin, env={**ONLY_CORE, "BALCAO_SECRET_KEY": "k" * 40, **env}
    )


def one_line_error(result: CliResult) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stdout == ""
    return lines[0]


async def test_users_and_tokens_create_a_working_api_token(tmp_path: Path) -> None:
    created = await asyncio.to_thread(
        run,
        tmp_path,
        "users",
        "create",
        "--email",
        "ana@example.org",
        "--name",
        "Ana",
        "--role",
        "ouvidor",
        stdin="uma-senha-longa\n",
    )
    assert created.returncode == 0, created.stderr
    token = await asyncio.to_thread(
        run, tmp_path, "tokens", "create", "--email", "ana@example.org", "--name", "cli"
    )
    assert token.returncode == 0, token.stderr
    secret = token.stdout.strip().splitlines()[-1]
    settings = load_settings(
        {},
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'balcao.db'}",
        secret_key="k" * 40,
        disable_plugins=ONLY_CORE["BALCAO_DISABLE_PLUGINS"].split(","),
    )
    app = create_app(settings, load_entrypoints=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        response = await client.get(
            "/api/v1/plugins", headers={"Authorization": f"Bearer {secret}"}
        )
    await app.state.runtime.close()
    assert response.status_code == 200


def test_bad_role_is_one_line_and_exit_2(tmp_path: Path) -> None:
    line = one_line_error(
        run(
            tmp_path,
            "users",
            "create",
            "--email",
            "a@b.org",
            "--name",
            "A",
            "--role",
            "chefe",
            stdin="senha-longa-123\n",
        )
    )
    assert "chefe" in line


def test_unit_role_needs_a_unit(tmp_path: Path) -> None:
    line = one_line_error(
        run(
            tmp_path,
            "users",
            "create",
            "--email",
            "u@b.org",
            "--name",
            "U",
            "--role",
            "unidade",
            stdin="senha-longa-123\n",
        )
    )
    assert "--unit" in line
    assert not (tmp_path / "balcao.db").exists() or "u@b.org" not in (
        tmp_path / "balcao.db"
    ).read_bytes().decode("latin-1")


def test_token_for_unknown_user(tmp_path: Path) -> None:
    assert "nobody@example.org" in one_line_error(
        run(tmp_path, "tokens", "create", "--email", "nobody@example.org")
    )


def test_short_secret_key_is_refused(tmp_path: Path) -> None:
    line = one_line_error(run(tmp_path, "db", "upgrade", BALCAO_SECRET_KEY="curta"))
    assert "BALCAO_SECRET_KEY" in line and "32" in line


def test_bad_core_setting_names_the_field(tmp_path: Path) -> None:
    line = one_line_error(run(tmp_path, "serve", BALCAO_TRACKING_RATE_LIMIT_PER_HOUR="muitos"))
    assert line == (
        "balcao: BALCAO_TRACKING_RATE_LIMIT_PER_HOUR: esperado um número inteiro, recebido 'muitos'"
    )


def test_bad_plugin_config_stops_serve(tmp_path: Path, install_plugin) -> None:  # type: ignore[no-untyped-def]
    from tests.core.test_plugins import GREETER

    install_plugin("greeter", GREETER)
    line = one_line_error(run(tmp_path, "serve", BALCAO_GREETER_REPEAT="x"))
    assert "plugin 'greeter'" in line
    assert "BALCAO_GREETER_REPEAT: esperado um número inteiro, recebido 'x'" in line


def test_plugins_lists_a_broken_plugin_as_failed(tmp_path: Path, install_plugin) -> None:  # type: ignore[no-untyped-def]
    install_plugin("broken", "raise ImportError('falta xyz')\n")
    result = run(tmp_path, "plugins")
    assert result.returncode == 0
    assert "broken" in result.stdout and "failed" in result.stdout and "falta xyz" in result.stdout
    assert "webform" in result.stdout and "disabled" in result.stdout


def test_generated_secret_key_is_private_and_reused(tmp_path: Path) -> None:
    first = run(tmp_path, "db", "upgrade", BALCAO_SECRET_KEY="")
    environ_free = first
    assert environ_free.returncode == 0, first.stderr
    key = tmp_path / "balcao.secret"
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    assert "chave gerada" in first.stderr
    second = run(tmp_path, "db", "upgrade", BALCAO_SECRET_KEY="")
    assert "chave gerada" not in second.stderr


def test_serve_starts_with_the_embedded_worker_and_answers(tmp_path: Path) -> None:
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environ = balcao_environ({**ONLY_CORE, "BALCAO_SECRET_KEY": "k" * 40})
    server = subprocess.Popen(
        [sys.executable, "-m", "balcao", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = None
        for _ in range(120):
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert health is not None and health.json()["status"] == "ok"
        home = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert "Balcão virtual" in home.text
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "worker started" in output
