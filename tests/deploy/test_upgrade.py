"""Upgrades: a database made by the previous release's migrations (core revision 0002_staff)
with data in it is brought up to date; the commands refuse a database they cannot serve."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import httpx
from alembic import command
from sqlalchemy import text

from balcao._db.engine import Database
from balcao._db.migrate import alembic_config

from .server import CORE_HEAD, balcao, database, serve

PREVIOUS_RELEASE = "0002_staff"
PROTOCOL = "2026000042"


def _manifestation_row(now: dt.datetime) -> dict[str, object]:
    return {
        "protocol": PROTOCOL,
        "year": 2026,
        "sequence": 42,
        "kind": "reclamacao",
        "channel": "webform",
        "state": "triage",
        "subject": "Biblioteca",
        "description": "A biblioteca fechou antes do horário.",
        "search_text": "a biblioteca fechou antes do horario",
        "anonymous": False,
        "created_at": now,
        "updated_at": now,
        "priority": "normal",
        "tags": "[]",
        "confidential": False,
        "complementation_used": False,
        "extra": "{}",
    }


# the case's deadlines: two open, one met (the earliest, so it must not count)
_DEADLINES = (
    "INSERT INTO deadlines (manifestation_id, purpose, started_on, due_on, extended, met_at, "
    "warned_near, warned_overdue) VALUES "
    "((SELECT id FROM manifestations), 'response', '2026-11-03', '2026-12-17', false, NULL, "
    "false, false), "
    "((SELECT id FROM manifestations), 'unit', '2026-11-03', '2026-12-10', false, NULL, "
    "false, false), "
    "((SELECT id FROM manifestations), 'complementation', '2026-11-03', '2026-11-20', false, "
    "'2026-11-10 10:00:00', false, false)"
)


async def _previous_release_database(url: str) -> None:
    database = Database(url)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(_upgrade_to, PREVIOUS_RELEASE)
            row = _manifestation_row(dt.datetime(2026, 11, 3, 14, tzinfo=dt.UTC))
            columns = ", ".join(row)
            values = ", ".join(f":{c}" for c in row)
            await connection.execute(
                text(f"INSERT INTO manifestations ({columns}) VALUES ({values})"),  # noqa: S608
                row,
            )
            await connection.execute(
                text(
                    "INSERT INTO units (code, name) VALUES ('PRAE', 'Pró-Reitoria de Assistência')"
                )
            )
            await connection.execute(text(_DEADLINES))
    finally:
        await database.dispose()


def _upgrade_to(connection: object, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            return [tuple(r) for r in await connection.execute(text(query))]
    finally:
        await database.dispose()


def test_previous_release_database_is_refused_then_upgraded_with_its_data(tmp_path: Path) -> None:
    with database(tmp_path) as url:
        env = {"BALCAO_DATABASE_URL": url}
        asyncio.run(_previous_release_database(url))
        refused = balcao(tmp_path, "serve", "--no-worker", "--port", "1", **env)
        assert refused.returncode == 2
        assert "migrações pendentes" in refused.stderr and CORE_HEAD in refused.stderr
        assert "balcao db upgrade" in refused.stderr

        upgraded = balcao(tmp_path, "db", "upgrade", **env)
        assert upgraded.returncode == 0, upgraded.stderr
        cases = asyncio.run(_rows(url, "SELECT protocol, description, state FROM manifestations"))
        assert cases == [(PROTOCOL, "A biblioteca fechou antes do horário.", "triage")]
        # each case's nearest open deadline, filled in for the inbox's overdue filter
        due = asyncio.run(_rows(url, "SELECT due_on FROM manifestations"))
        assert [str(d) for (d,) in due] == ["2026-12-10"]
        assert asyncio.run(_rows(url, "SELECT code FROM units")) == [("PRAE",)]
        tables = asyncio.run(_rows(url, "SELECT count(*) FROM worker_heartbeats"))
        assert tables == [(0,)]


def test_serve_migrates_only_when_told_to(tmp_path: Path) -> None:
    with database(tmp_path) as url:
        asyncio.run(_previous_release_database(url))
        with serve(tmp_path, "--migrate", BALCAO_DATABASE_URL=url) as served:
            ready = httpx.get(f"{served.url}/ready", timeout=10)
        assert ready.status_code in (200, 503)
        assert "migrações pendentes" not in ready.text
        assert balcao(tmp_path, "db", "upgrade", BALCAO_DATABASE_URL=url).returncode == 0


def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    with database(tmp_path) as url:
        env = {"BALCAO_DATABASE_URL": url}
        assert balcao(tmp_path, "db", "upgrade", **env).returncode == 0
        asyncio.run(_execute(url, "INSERT INTO alembic_version VALUES ('0099_future')"))
        for args in (("db", "upgrade"), ("worker",)):
            refused = balcao(tmp_path, *args, **env)
            assert refused.returncode == 2
            line = refused.stderr.strip().splitlines()[-1]
            assert "versão mais nova do Balcão" in line and "0099_future" in line


async def _execute(url: str, statement: str) -> None:
    database = Database(url)
    try:
        async with database.engine.begin() as connection:
            await connection.execute(text(statement))
    finally:
        await database.dispose()
