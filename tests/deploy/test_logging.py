"""One log format for the balcão and its web server, with the level and access log the
operator chose, and no citizen's words in it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from .server import balcao, serve

TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR) [\w.]+: ")


def test_json_lines_carry_the_request_id_and_never_the_query(tmp_path: Path) -> None:
    with serve(tmp_path, BALCAO_LOG_FORMAT="json") as served:
        answer = httpx.get(f"{served.url}/acompanhar?nome=Maria+da+Silva", timeout=10)
    assert served.stdout == ""  # everything the server prints is a log line
    records = [json.loads(line) for line in served.lines]  # every line is one JSON object
    loggers = {r["logger"] for r in records}
    assert {"balcao", "uvicorn.error", "balcao.worker", "balcao.access"} <= loggers
    access = [
        r for r in records if r["logger"] == "balcao.access" and "/acompanhar" in r["message"]
    ]
    assert len(access) == 1
    assert access[0]["request_id"] == answer.headers["x-request-id"]
    assert "Maria" not in served.stderr


def test_text_is_one_format_for_server_and_balcao(tmp_path: Path) -> None:
    with serve(tmp_path) as served:
        httpx.get(f"{served.url}/health", timeout=10)
        httpx.get(f"{served.url}/", timeout=10)
    assert served.lines
    for line in served.lines:
        assert TEXT_LINE.match(line), line
    assert any("uvicorn.error: Uvicorn running" in line for line in served.lines)
    assert any("balcao.access: GET / 200" in line for line in served.lines)
    # the load balancer's liveness probes stay out of the access log
    assert not any("GET /health" in line for line in served.lines)


def test_log_level_and_access_log_are_honoured(tmp_path: Path) -> None:
    with serve(tmp_path, BALCAO_LOG_LEVEL="WARNING") as quiet:
        httpx.get(f"{quiet.url}/", timeout=10)
    assert " INFO " not in quiet.stderr
    with serve(tmp_path, BALCAO_ACCESS_LOG="false") as no_access:
        httpx.get(f"{no_access.url}/", timeout=10)
    assert "balcao.worker: worker started" in no_access.stderr
    assert "balcao.access" not in no_access.stderr


def test_an_unknown_log_level_is_one_line_in_portuguese(tmp_path: Path) -> None:
    result = balcao(tmp_path, "db", "upgrade", BALCAO_LOG_LEVEL="verbose")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "balcao: BALCAO_LOG_LEVEL: nível desconhecido 'verbose'; "
        "use DEBUG, INFO, WARNING, ERROR, CRITICAL"
    ]


def test_unconfigured_whatsapp_is_warned_once_and_only_where_it_matters(tmp_path: Path) -> None:
    plugins = balcao(tmp_path, "plugins", BALCAO_DISABLE_PLUGINS="")
    assert plugins.returncode == 0, plugins.stderr
    warnings = [line for line in plugins.stderr.splitlines() if "WhatsApp" in line]
    assert len(warnings) == 1
    assert "canal WhatsApp não configurado" in warnings[0]
    upgrade = balcao(tmp_path, "db", "upgrade", BALCAO_DISABLE_PLUGINS="")
    assert upgrade.returncode == 0, upgrade.stderr
    assert "WhatsApp" not in upgrade.stderr
