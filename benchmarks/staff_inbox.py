"""Staff inbox and reports with 100,000 manifestations, in-process with the real app.

    uv run python benchmarks/staff_inbox.py [--rows 100000] [--postgresql URL]

Prints the median time and the number of SQL statements per page for: the inbox's first
page, a filtered and searched page, and the report page; the baseline is /health measured in
the same run (the app's fixed cost per request)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import random
import statistics
import tempfile
import time
from pathlib import Path

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


def _rows(n: int, start: dt.datetime) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    rng = random.Random(7)
    manifestations, deadlines = [], []
    for i in range(1, n + 1):
        created = start + dt.timedelta(minutes=5 * i)
        subject = " ".join(rng.choices(WORDS, WEIGHTS, k=3))
        body = " ".join(rng.choices(WORDS, WEIGHTS, k=40))
        protocol = f"2026-{i:06d}"
        manifestations.append(
            {
                "id": i,
                "protocol": protocol,
                "year": 2026,
                "sequence": i,
                "kind": rng.choice(KINDS),
                "channel": rng.choice(["webform", "whatsapp", "meet"]),
                "state": rng.choice(STATES),
                "subject": subject,
                "description": body,
                "search_text": fold(f"{protocol} {subject} {body}"),
                "anonymous": False,
                "created_at": created,
                "updated_at": created,
                "unit_code": rng.choice(["PRAE", "PROEG", "SETEC", None]),
                "priority": "normal",
                "tags": [],
                "confidential": False,
                "complementation_used": False,
                "extra": {},
            }
        )
        deadlines.append(
            {
                "manifestation_id": i,
                "purpose": "response",
                "started_on": created.date(),
                "due_on": created.date() + dt.timedelta(days=30),
                "extended": False,
                "warned_near": False,
                "warned_overdue": False,
            }
        )
    return manifestations, deadlines


async def _seed(app: object, n: int) -> str:
    desk = app.state.desk  # type: ignore[attr-defined]
    await app.state.runtime.upgrade_database()  # type: ignore[attr-defined]
    async with desk.database.read() as session:
        if await session.scalar(text("SELECT count(*) FROM manifestations")):
            return await _token(desk)
    manifestations, deadlines = _rows(n, dt.datetime(2025, 12, 1, tzinfo=dt.UTC))
    async with desk.database.write() as session:
        for code in ("PRAE", "PROEG", "SETEC"):
            session.add(UnitRow(code=code, name=code))
        for chunk in range(0, n, 5000):
            await session.execute(insert(ManifestationRow), manifestations[chunk : chunk + 5000])
            await session.execute(insert(DeadlineRow), deadlines[chunk : chunk + 5000])
        await create_user(
            session,
            email="bench@ufmt.br",
            name="Bench",
            role="ouvidor",
            unit=None,
            password="senha-de-benchmark",
            now=desk.now(),
        )
    if desk.database.is_sqlite:
        async with desk.database.engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
    else:
        # What autovacuum does after a bulk load: statistics and the visibility map.
        async with desk.database.engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))
    return await _token(desk)


async def _token(desk: object) -> str:
    async with desk.database.write() as session:  # type: ignore[attr-defined]
        return await create_token(
            session,
            desk.keys,
            email="bench@ufmt.br",
            label="b",  # type: ignore[attr-defined]
            now=desk.now(),
        )  # type: ignore[attr-defined]


async def _measure(
    client: httpx.AsyncClient, url: str, counter: list[int], runs: int
) -> tuple[float, int]:
    times = []
    for _ in range(runs):
        counter[0] = 0
        began = time.perf_counter()
        response = await client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
    return statistics.median(times), counter[0]


async def run(url: str, n: int, runs: int) -> None:
    settings = load_settings({}, database_url=url, secret_key=SECRET)
    app = create_app(settings, load_entrypoints=False)
    began = time.perf_counter()
    token = await _seed(app, n)
    print(
        f"\n{app.state.desk.database.dialect}: seeded {n} manifestations "
        f"in {time.perf_counter() - began:.1f} s"
    )
    counter = [0]
    engine = app.state.desk.database.engine.sync_engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args: object) -> None:
        counter[0] += 1

    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(
        transport=transport, base_url="http://bench", headers={"authorization": f"Bearer {token}"}
    ) as client:
        pages = {
            "/health (baseline)": "/health",
            "inbox, first page": "/staff",
            "inbox, filtered + search": (
                "/staff?q=refeicao+onibus&tipo=reclamacao&unidade=PRAE&vence_em=30"
            ),
            "inbox, search (common word)": "/staff?q=atendimento",
            "inbox, search (rare word)": "/staff?q=goteira&pagina=2",
            "reports page (year)": "/staff/relatorios?ano=2026",
        }
        baseline = None
        for label, path in pages.items():
            median, queries = await _measure(client, path, counter, runs)
            baseline = baseline or median
            print(
                f"  {label:28s} median {median:8.1f} ms  "
                f"({median / baseline:5.1f}x /health)  {queries} SQL statements"
            )
    await app.state.runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--sqlite-file", help="keep the seeded SQLite database here (reused)")
    parser.add_argument(
        "--postgresql", help="e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/bench (emptied!)"
    )
    args = parser.parse_args()
    if args.sqlite_file:
        asyncio.run(
            run(f"sqlite+aiosqlite:///{Path(args.sqlite_file).resolve()}", args.rows, args.runs)
        )
    else:
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(
                run(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}", args.rows, args.runs)
            )
    if args.postgresql:
        asyncio.run(run(args.postgresql, args.rows, args.runs))


if __name__ == "__main__":
    main()
