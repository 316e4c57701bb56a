"""Staff inbox and reports at several sizes, in-process with the real app.

    uv run python benchmarks/staff_inbox.py [--sizes 1000 10000 100000 1000000]
        [--postgresql URL] [--no-sqlite] [--runs 15]

For each size and database, prints the median and 90th percentile time (after one
unmeasured request), and the SQL statements, of: the inbox's first page, a filtered and
searched page, two searches, a unit member's page, the overdue filter, the deadline order
and the report page; the baseline is /health measured in the same run (the app's fixed cost
per request).

The data grows as a real office's history does: one case every five minutes, back from
today, so a larger size adds older cases; cases older than 120 days are answered or closed
(their deadline met), newer ones are in any state. Every size is loaded into an empty,
migrated database (the PostgreSQL one is emptied!) with the app's own schema: its indexes,
the SQLite full-text index and triggers, the PostgreSQL trigram index. PostgreSQL loads with
COPY, SQLite with inserts in large chunks; both build their secondary indexes (and SQLite its
full-text index) once after the load, as they would on a filled table."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, insert, text

from balcao import create_app, load_settings
from balcao._db.models import DeadlineRow, ManifestationRow, UnitRow
from balcao._services.users import create_token, create_user
from balcao._text import fold

logging.getLogger("httpx").setLevel(logging.WARNING)

SECRET = "benchmark-secret-key-0123456789-abcdef"
# A vocabulary of everyday ouvidoria words, drawn with Zipf-like weights: a common word is in
# many texts, a rarer one in few, as in real case text.
WORDS = [
    "servidor",
    "atendimento",
    "aluno",
    "curso",
    "professor",
    "prazo",
    "resposta",
    "setor",
    "campus",
    "reitoria",
    "coordenação",
    "secretaria",
    "sala",
    "aula",
    "disciplina",
    "nota",
    "sistema",
    "documento",
    "pedido",
    "processo",
    "restaurante",
    "refeição",
    "ônibus",
    "biblioteca",
    "matrícula",
    "bolsa",
    "internet",
    "laboratório",
    "estágio",
    "diploma",
    "histórico",
    "moradia",
    "auxílio",
    "transporte",
    "segurança",
    "limpeza",
    "banheiro",
    "estacionamento",
    "iluminação",
    "portaria",
    "hospital",
    "veterinário",
    "fazenda",
    "concurso",
    "edital",
    "inscrição",
    "resultado",
    "recurso",
    "pagamento",
    "salário",
    "férias",
    "licença",
    "assédio",
    "discriminação",
    "acessibilidade",
    "rampa",
    "elevador",
    "ar-condicionado",
    "goteira",
    "mofo",
    "barulho",
    "obra",
    "reforma",
    "contrato",
    "empresa",
    "terceirizada",
    "vigilante",
    "catraca",
    "carteirinha",
    "wifi",
    "senha",
    "e-mail",
    "plataforma",
    "moodle",
    "sigaa",
    "calendário",
]
WEIGHTS = [1 / (rank + 1) for rank in range(len(WORDS))]
KINDS = ["reclamacao", "solicitacao", "sugestao", "elogio", "denuncia", "acesso_informacao"]
STATES = ["triage", "forwarded", "answered", "closed", "unit_answered"]
DONE = ("answered", "closed")
CHANNELS = ["webform", "whatsapp", "meet"]
UNITS = ["PRAE", "PROEG", "SETEC", None]
CHUNK = 20_000
STEP = dt.timedelta(minutes=5)
SETTLED = dt.timedelta(days=120)
PAGES = {
    "/health (baseline)": "/health",
    "inbox, first page": "/staff",
    "inbox, filtered + search": "/staff?q=refeicao+onibus&tipo=reclamacao&unidade=PRAE&vence_em=30",
    "inbox, search (common word)": "/staff?q=atendimento",
    "inbox, search (rare word)": "/staff?q=goteira&pagina=2",
    "inbox, state tab": "/staff?estado=triage",
    "inbox, overdue filter": "/staff?atrasadas=1",
    "inbox, by deadline": "/staff?ordem=prazo",
    "unit member, first page": "/staff",
    "reports page (year)": "/staff/relatorios?ano={year}",
}
UNIT_PAGES = {"unit member, first page"}


def _case(i: int, n: int, now: dt.datetime, rng: random.Random) -> tuple[tuple[Any, ...], ...]:
    """Case ``i`` of ``n`` (the newest is ``n``) and its response deadline."""
    created = now - STEP * (n - i)
    state = rng.choice(DONE) if now - created > SETTLED else rng.choice(STATES)
    subject = " ".join(rng.choices(WORDS, WEIGHTS, k=3))
    body = " ".join(rng.choices(WORDS, WEIGHTS, k=40))
    protocol = f"{created.year}-{i:07d}"
    case = (
        i, protocol, created.year, i, rng.choice(KINDS), rng.choice(CHANNELS),
        state, subject, body, fold(f"{protocol} {subject} {body}"), False, created, created,
        rng.choice(UNITS), "normal", "[]", False, False, "{}",
    )  # fmt: skip
    met = created + dt.timedelta(days=10) if state in DONE else None
    due = created.date() + dt.timedelta(days=30)
    deadline = (i, i, "response", created.date(), due, False, met, False, False)
    return case, deadline


CASE_COLUMNS = (
    "id", "protocol", "year", "sequence", "kind", "channel", "state", "subject", "description",
    "search_text", "anonymous", "created_at", "updated_at", "unit_code", "priority", "tags",
    "confidential", "complementation_used", "extra",
)  # fmt: skip
DEADLINE_COLUMNS = (
    "id", "manifestation_id", "purpose", "started_on", "due_on", "extended", "met_at",
    "warned_near", "warned_overdue",
)  # fmt: skip


def _chunks(n: int, now: dt.datetime) -> Iterator[tuple[list[Any], list[Any]]]:
    """The rows in chunks of ``CHUNK``: memory stays bounded at any size."""
    rng = random.Random(7)
    for first in range(1, n + 1, CHUNK):
        pairs = [_case(i, n, now, rng) for i in range(first, min(first + CHUNK, n + 1))]
        yield [p[0] for p in pairs], [p[1] for p in pairs]


async def _load_sqlite(desk: Any, n: int, now: dt.datetime) -> None:
    """Multi-row inserts in large chunks into the tables without their secondary indexes and
    triggers; then the same indexes built once, the full-text index rebuilt from the rows and
    the triggers put back, and each case's nearest open deadline filled in (the migrations
    do both)."""
    async with desk.database.engine.begin() as connection:
        schema = (await connection.execute(text(_SQLITE_SCHEMA))).all()
        for kind, name, _sql in schema:
            await connection.execute(text(f'DROP {kind.upper()} "{name}"'))
    for cases, deadlines in _chunks(n, now):
        async with desk.database.write() as session:
            await session.execute(
                insert(ManifestationRow),
                [_as_sqlite(dict(zip(CASE_COLUMNS, c, strict=True))) for c in cases],
            )
            await session.execute(
                insert(DeadlineRow),
                [dict(zip(DEADLINE_COLUMNS, d, strict=True)) for d in deadlines],
            )
    async with desk.database.engine.begin() as connection:
        await connection.execute(text(_FTS_REBUILD))
        for _kind, _name, sql in schema:
            await connection.execute(text(sql))
        await connection.execute(text(_DUE_FILL))  # through the deadlines' index, now back
        await connection.execute(text("ANALYZE"))


_SQLITE_SCHEMA = (
    "SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ('manifestations', "
    "'deadlines') AND type IN ('index', 'trigger') AND sql IS NOT NULL"
)
_FTS_REBUILD = "INSERT INTO manifestations_fts(manifestations_fts) VALUES ('rebuild')"
_PG_TRIGGER = "ALTER TABLE deadlines {} TRIGGER deadlines_case_due"
_DUE_FILL = (
    "UPDATE manifestations SET due_on = (SELECT min(d.due_on) FROM deadlines d "
    "WHERE d.manifestation_id = manifestations.id AND d.met_at IS NULL) "
    "WHERE id IN (SELECT manifestation_id FROM deadlines WHERE met_at IS NULL)"
)


def _as_sqlite(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "tags": [], "extra": {}}


async def _secondary_indexes(connection: Any) -> list[tuple[str, str]]:
    """The indexes of the two loaded tables that back no constraint (dropped, rebuilt)."""
    rows = await connection.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
            "('manifestations', 'deadlines') AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint)"
        )
    )
    return [(name, definition) for name, definition in rows.all()]


async def _load_postgresql(desk: Any, n: int, now: dt.datetime) -> None:
    """COPY into the tables without their secondary indexes and with the deadlines' trigger
    off, then the same indexes built once (as CREATE INDEX on a filled table does), each
    case's nearest open deadline filled in (as the migration does) and the trigger back on,
    then VACUUM ANALYZE (what autovacuum does after a bulk load: statistics and the
    visibility map)."""
    async with desk.database.engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        indexes = await _secondary_indexes(connection)
        for name, _definition in indexes:
            await connection.execute(text(f'DROP INDEX "{name}"'))
        await connection.execute(text(_PG_TRIGGER.format("DISABLE")))
        raw = (await connection.get_raw_connection()).driver_connection
        for cases, deadlines in _chunks(n, now):
            await raw.copy_records_to_table("manifestations", records=cases, columns=CASE_COLUMNS)
            await raw.copy_records_to_table(
                "deadlines", records=deadlines, columns=DEADLINE_COLUMNS
            )
        await connection.execute(text("SET maintenance_work_mem = '256MB'"))
        for _name, definition in indexes:
            await connection.execute(text(definition))
        await connection.execute(text(_DUE_FILL))
        await connection.execute(text(_PG_TRIGGER.format("ENABLE")))
        for table in ("manifestations", "deadlines"):
            await connection.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {n})")
            )
        await connection.execute(text("VACUUM ANALYZE"))


async def _empty_postgresql(url: str) -> None:
    settings = load_settings({}, database_url=url, secret_key=SECRET)
    app = create_app(settings, load_entrypoints=False)
    async with app.state.desk.database.engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await app.state.runtime.close()


async def _seed(app: Any, n: int) -> tuple[str, str]:
    """The cases, three units, an ouvidor and a PRAE member; a token for each."""
    desk = app.state.desk
    await app.state.runtime.upgrade_database()
    now = desk.now()
    async with desk.database.write() as session:
        for code in ("PRAE", "PROEG", "SETEC"):
            session.add(UnitRow(code=code, name=code))
    if desk.database.is_sqlite:
        await _load_sqlite(desk, n, now)
    else:
        await _load_postgresql(desk, n, now)
    async with desk.database.write() as session:
        for email, role, unit in (
            ("bench@ufmt.br", "ouvidor", None),
            ("prae@ufmt.br", "unidade", "PRAE"),
        ):
            await create_user(
                session, email=email, name=email, role=role, unit=unit,
                password="uma-senha-de-teste-longa", now=now,
            )  # fmt: skip
    return await _token(desk, "bench@ufmt.br"), await _token(desk, "prae@ufmt.br")


async def _token(desk: Any, email: str) -> str:
    async with desk.database.write() as session:
        return await create_token(session, desk.keys, email=email, label="b", now=desk.now())


def _server_cpu(database: str | None) -> dict[int, int]:
    """CPU ticks used so far by each PostgreSQL backend serving ``database`` (a local server:
    its processes are visible here); on a shared machine this, with the app's own CPU, is
    what a page costs, while wall time also holds the wait for a free core."""
    if database is None:
        return {}
    ticks = {}
    for entry in Path("/proc").iterdir():
        try:
            if (
                entry.name.isdigit()
                and f" {database} ".encode() in (entry / "cmdline").read_bytes()
            ):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
        except OSError:
            continue
    return ticks


async def _measure(
    client: httpx.AsyncClient, url: str, token: str, counter: list[int], runs: int, db: str | None
) -> tuple[float, float, int, float]:
    """Median and 90th percentile in ms, the SQL statements of one request, and the mean
    CPU ms spent on it: this process's (the app; SQLite runs in it) plus, on PostgreSQL,
    its backends' (counted in clock ticks of 10 ms, hence a mean over the runs)."""
    times, cpu = [], []
    # one unmeasured request first: a page's first request compiles its templates and
    # statements once per process, which would otherwise be the slowest "p90" run
    await client.get(url, headers={"authorization": f"Bearer {token}"})
    for _ in range(runs):
        counter[0], server = 0, _server_cpu(db)
        began, began_cpu = time.perf_counter(), time.process_time()
        response = await client.get(url, headers={"authorization": f"Bearer {token}"})
        times.append((time.perf_counter() - began) * 1000)
        app_cpu = (time.process_time() - began_cpu) * 1000
        used = sum(t - server.get(pid, t) for pid, t in _server_cpu(db).items())
        cpu.append(app_cpu + used * 1000 / os.sysconf("SC_CLK_TCK"))
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
    p90 = statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0]
    return statistics.median(times), p90, counter[0], statistics.mean(cpu)


async def run(url: str, n: int, runs: int) -> dict[str, tuple[float, float, int, float]]:
    settings = load_settings({}, database_url=url, secret_key=SECRET)
    app = create_app(settings, load_entrypoints=False)
    began = time.perf_counter()
    tokens = await _seed(app, n)
    desk = app.state.desk
    print(
        f"\n{desk.database.dialect}, {n} manifestations: "
        f"seeded in {time.perf_counter() - began:.1f} s"
    )
    counter = [0]
    database = None if desk.database.is_sqlite else url.rsplit("/", 1)[1].split("?")[0]

    @event.listens_for(desk.database.engine.sync_engine, "before_cursor_execute")
    def _count(*_args: object) -> None:
        counter[0] += 1

    results = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for label, path in PAGES.items():
            token = tokens[1] if label in UNIT_PAGES else tokens[0]
            url_path = path.format(year=desk.today().year)
            results[label] = median, p90, queries, cpu = await _measure(
                client, url_path, token, counter, runs, database
            )
            base = results["/health (baseline)"][0]
            print(
                f"  {label:28s} median {median:8.1f} ms  p90 {p90:8.1f} ms  "
                f"({median / base:5.1f}x /health)  CPU {cpu:6.1f} ms  {queries} SQL statements"
            )
    await app.state.runtime.close()
    return results


def _curve(name: str, curve: dict[int, dict[str, tuple[float, float, int, float]]]) -> None:
    """One line per page: at every size the median ms (p90) and the CPU ms; SQL statements."""
    sizes = sorted(curve)
    print(f"\n{name}: median ms (p90) / CPU ms, by size; SQL statements")
    print(f"  {'page':28s}" + "".join(f"{n:>24,}" for n in sizes) + "   SQL")
    for label in PAGES:
        cells = "".join(
            "{:8.1f} ({:6.1f}) /{:6.1f}".format(*itemgetter(0, 1, 3)(curve[n][label]))
            for n in sizes
        )
        print(f"  {label:28s}{cells}   {curve[sizes[-1]][label][2]}")


def _sqlite_curve(sizes: list[int], runs: int) -> None:
    curve = {}
    for n in sizes:
        with tempfile.TemporaryDirectory() as folder:
            curve[n] = asyncio.run(run(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}", n, runs))
    _curve("sqlite", curve)


def _postgresql_curve(url: str, sizes: list[int], runs: int) -> None:
    curve = {}
    for n in sizes:
        asyncio.run(_empty_postgresql(url))
        curve[n] = asyncio.run(run(url, n, runs))
    _curve("postgresql", curve)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--postgresql", help="e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/bench (emptied!)"
    )
    args = parser.parse_args()
    if not args.no_sqlite:
        _sqlite_curve(args.sizes, args.runs)
    if args.postgresql:
        _postgresql_curve(args.postgresql, args.sizes, args.runs)


if __name__ == "__main__":
    main()
