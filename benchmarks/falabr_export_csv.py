"""Benchmark: `balcao export falabr --format csv` over 100,000 manifestations.

Prints, for 10,000 and 100,000 rows: the export alone in this process (seconds, peak memory
traced by tracemalloc) and the whole command as a separate process (seconds, peak RSS, start-up
included), each with the ratio to a baseline measured in the same run: the same rows read with
the standard library's sqlite3 and written with csv.writer, with no formatting at all.

Seeding: registering 100,000 cases through ``Desk.intake`` (routing, deadlines, audit, one
transaction each) would take far longer than the export itself, so the rows are inserted in
bulk through the core's table metadata (``balcao.Base.metadata``), with the response deadline
each case would get. Run: ``uv run python benchmarks/falabr_export_csv.py [ROWS]``.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, insert

import balcao_falabr_export  # noqa: F401  (registers the plugin's tables on the metadata)
from balcao import Base

KINDS = ["reclamacao", "denuncia", "solicitacao", "elogio", "sugestao", "comunicacao"]
STATES = ["triage", "forwarded", "answered", "closed", "archived"]
PER_DAY = 1000
FIRST = dt.datetime(2026, 1, 5, 13, 0, tzinfo=dt.UTC)
SECRET = "benchmark-secret-key-0123456789-abcdef"


def _manifestation(i: int) -> dict[str, object]:
    created = FIRST + dt.timedelta(days=i // PER_DAY, seconds=i % PER_DAY * 30)
    state = STATES[i % len(STATES)]
    closed = created + dt.timedelta(days=9) if state in ("closed", "archived") else None
    return {
        "id": i + 1,
        "protocol": f"2026-{i + 1:06d}",
        "year": 2026,
        "sequence": i + 1,
        "kind": KINDS[i % len(KINDS)],
        "channel": "webform",
        "state": state,
        "subject": "",
        "description": f"Relato número {i}",
        "search_text": "",
        "anonymous": KINDS[i % len(KINDS)] == "comunicacao",
        "created_at": created,
        "updated_at": created,
        "closed_at": closed,
        "tags": [],
        "extra": {},
    }


def _deadline(i: int) -> dict[str, object]:
    started = (FIRST + dt.timedelta(days=i // PER_DAY)).date()
    return {
        "manifestation_id": i + 1,
        "purpose": "response",
        "started_on": started,
        "due_on": started + dt.timedelta(days=30),
    }


def seed(path: Path, rows: int) -> float:
    began = time.perf_counter()
    engine = create_engine(f"sqlite:///{path}")
    tables = Base.metadata.tables
    with engine.begin() as connection:
        for start in range(0, rows, 5000):
            batch = range(start, min(start + 5000, rows))
            connection.execute(insert(tables["manifestations"]), [_manifestation(i) for i in batch])
            connection.execute(insert(tables["deadlines"]), [_deadline(i) for i in batch])
    engine.dispose()
    return time.perf_counter() - began


def run_export(env: dict[str, str], days: int, target: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one `balcao export falabr` process."""
    end = (FIRST + dt.timedelta(days=days - 1)).date()
    code = (
        "import atexit, resource, sys\n"
        "atexit.register(lambda: print('RSS', resource.getrusage(resource.RUSAGE_SELF)"
        ".ru_maxrss, file=sys.stderr))\n"
        "from balcao.cli import main\n"
        f"main(['export', 'falabr', '--from', '{FIRST.date()}', '--to', '{end}', "
        f"'--format', 'csv', '-o', '{target}'])\n"
    )
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    rss_kb = int(done.stderr.strip().splitlines()[-1].split()[1])
    return seconds, rss_kb / 1024


def in_process(path: Path, days: int) -> tuple[float, float]:
    """The export alone (no program start-up): seconds and traced peak memory (MB)."""
    from balcao import ReadModel
    from balcao._db.engine import Database
    from balcao_falabr_export._config import FalabrConfig
    from balcao_falabr_export._query import Period
    from balcao_falabr_export._streams import export_stream

    async def run() -> None:
        database = Database(f"sqlite+aiosqlite:///{path}")
        end = (FIRST + dt.timedelta(days=days - 1)).date()
        period = Period(FIRST.date(), end, ZoneInfo("America/Cuiaba"))
        chunks = export_stream(ReadModel(database), period, "csv", FalabrConfig(), end)
        written = 0
        async for chunk in chunks:
            written += len(chunk)  # kept in memory no longer than one chunk
        await database.dispose()

    began = time.perf_counter()
    asyncio.run(run())
    seconds = time.perf_counter() - began
    tracemalloc.start()  # a second run: tracing slows Python down, so it is not timed
    asyncio.run(run())
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak


def baseline(path: Path, rows: int, target: Path) -> float:
    """The least work possible: read the columns, write them as they come."""
    began = time.perf_counter()
    connection = sqlite3.connect(path)
    cursor = connection.execute(
        "SELECT m.created_at, d.due_on, m.closed_at, m.kind, m.state FROM manifestations m "
        "LEFT JOIN deadlines d ON d.manifestation_id = m.id ORDER BY m.created_at, m.id "
        f"LIMIT {rows}"
    )
    with target.open("w", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(cursor)
    connection.close()
    return time.perf_counter() - began


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        database = work / "bench.db"
        env = {
            **os.environ,
            "BALCAO_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "BALCAO_SECRET_KEY": SECRET,
            "BALCAO_CONFIG": str(work / "balcao.toml"),
        }
        (work / "balcao.toml").write_text('[plugins.falabr_export]\norgao_name = "UFMT"\n')
        subprocess.run(["balcao", "db", "upgrade"], env=env, check=True, capture_output=True)
        print(f"seeded {rows} manifestations in {seed(database, rows):.1f} s")
        for count in sorted({min(10_000, rows), rows}):
            days = -(-count // PER_DAY)
            seconds, rss = run_export(env, days, work / f"out-{count}.csv")
            lines = sum(1 for _ in (work / f"out-{count}.csv").open("rb")) - 1
            base = baseline(database, lines, work / f"base-{count}.csv")
            alone, traced = in_process(database, days)
            print(
                f"{lines:>7} rows: export alone {alone:6.2f} s, traced peak {traced:5.1f} MB; "
                f"ratio {alone / base:5.1f}x"
            )
            print(
                f"{lines:>7} rows: whole command {seconds:6.2f} s ({lines / seconds:8.0f} rows/s), "
                f"peak RSS {rss:6.1f} MB; baseline sqlite3+csv {base:5.2f} s, "
                f"ratio {seconds / base:5.1f}x"
            )


if __name__ == "__main__":
    main()
