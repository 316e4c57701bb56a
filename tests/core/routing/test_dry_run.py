"""``balcao routing test``: the decision first, the reasons after, nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text

from balcao.testing import Balcao

from .cli import balcao_cli
from .conftest import WithRules

CONFIG = """
[[routing.rules]]
name = "restaurante-universitario"
priority = 10
when.kinds = ["reclamacao", "sugestao"]
when.words_any = ["restaurante universitário", "RU", "refeição"]
when.words_none = ["elogio"]
then.forward_to = "PRAE"

[[routing.rules]]
name = "obras"
priority = 20
when.words_any = ["goteira", "obra"]
then.forward_to = "SINFRA"
then.priority = "high"

[[routing.rules]]
name = "suporte"
priority = 30
when.words_any = ["senha"]
then.round_robin = "STI"

[[routing.rules]]
name = "ouvidor-direto"
priority = 35
when.words_any = ["ouvidor"]
then.assign_to = "chefe@example.org"

[[routing.rules]]
name = "noturno"
priority = 40
when.hours = "closed"
then.tags = ["fora-do-horario"]
"""

RULES: list[dict[str, Any]] = [
    {"name": "ru", "when": {"words_any": ["RU"]}, "then": {"forward_to": "PRAE"}},
    {"name": "obras", "when": {"words_any": ["goteira"]}, "then": {"forward_to": "SINFRA"}},
    {"name": "suporte", "when": {"words_any": ["senha"]}, "then": {"round_robin": "STI"}},
]


def write_config(folder: Path, body: str = CONFIG) -> Path:
    path = folder / "balcao.toml"
    path.write_text(body, encoding="utf-8")
    return path


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def test_prints_the_decision_then_the_reasons(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    run = await balcao_cli(
        "routing",
        "test",
        "--kind",
        "reclamacao",
        "--channel",
        "webform",
        "--text",
        "A refeição do RU veio fria",
        cwd=tmp_path,
        BALCAO_CONFIG=str(config),
        BALCAO_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'balcao.db'}",
    )
    assert run.code == 0, run.err
    assert run.out[0] == "forward PRAE by restaurante-universitario"
    assert run.out[1] == (
        "  motivo (restaurante-universitario): tipo reclamacao; "
        "palavras encontradas: 'RU', 'refeição'"
    )


async def test_writes_nothing_not_even_a_database_or_a_key(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    run = await balcao_cli(
        "routing",
        "test",
        "--kind",
        "elogio",
        "--channel",
        "whatsapp",
        "--text",
        "parabéns",
        "--at",
        "2026-12-01T10:00",
        cwd=tmp_path,
        BALCAO_CONFIG=str(config),
    )
    assert run.code == 0, run.err
    assert run.out[0] == "triage by fallback"
    assert files_in(tmp_path) == ["balcao.toml"]
    assert "banco de dados não encontrado" in run.err


async def test_denuncia_is_never_forwarded_and_says_why(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    run = await balcao_cli(
        "routing",
        "test",
        "--kind",
        "denuncia",
        "--channel",
        "webform",
        "--text",
        "obra superfaturada",
        cwd=tmp_path,
        BALCAO_CONFIG=str(config),
    )
    assert run.out[0] == "triage by obras"
    assert "encaminhamento automático não permitido" in run.out[1]
    assert "  prioridade: high" in run.out


async def test_unknown_units_and_people_are_named_in_a_warning(
    with_rules: WithRules, tmp_path: Path
) -> None:
    balcao = await with_rules(RULES)
    _, headers = await balcao.user("ouvidor")
    created = await balcao.client.post(
        "/api/v1/units",
        json={"code": "PRAE", "name": "Pró-Reitoria de Assistência Estudantil"},
        headers=headers,
    )
    assert created.status_code == 201
    config = write_config(tmp_path)
    env = {"BALCAO_CONFIG": str(config), "BALCAO_DATABASE_URL": balcao.settings.database_url}
    args = ("routing", "test", "--kind", "reclamacao", "--channel", "webform", "--text")
    known = await balcao_cli(*args, "o RU fechou", cwd=tmp_path, **env)
    unknown = await balcao_cli(*args, "goteira na sala", cwd=tmp_path, **env)
    assert known.out[0] == "forward PRAE by restaurante-universitario"
    assert "aviso" not in known.err
    assert unknown.out[0] == "forward SINFRA by obras"
    assert "aviso: a unidade 'SINFRA' não está no diretório de unidades" in unknown.err
    nobody = await balcao_cli(*args, "quero falar com o ouvidor", cwd=tmp_path, **env)
    assert nobody.out[0] == "assign chefe@example.org by ouvidor-direto"
    assert "aviso: não há usuário ativo 'chefe@example.org'" in nobody.err


COUNTS = {
    "manifestations": text("SELECT count(*) FROM manifestations"),
    "messages": text("SELECT count(*) FROM messages"),
    "audit_log": text("SELECT count(*) FROM audit_log"),
}


async def count(balcao: Balcao, table: str) -> int:
    async with balcao.desk.database.read() as session:
        return int((await session.execute(COUNTS[table])).scalar_one())


async def test_round_robin_names_the_next_member_and_changes_nothing(
    with_rules: WithRules, tmp_path: Path
) -> None:
    balcao = await with_rules(RULES)
    await balcao.user("atendente", email="ana@example.org", unit="STI")
    await balcao.user("atendente", email="bia@example.org", unit="STI")
    await balcao.manifestation("troquei a senha e não entra")  # ana gets this one
    before = [await count(balcao, t) for t in ("manifestations", "messages", "audit_log")]
    env = {
        "BALCAO_CONFIG": str(write_config(tmp_path)),
        "BALCAO_DATABASE_URL": balcao.settings.database_url,
    }
    args = ("routing", "test", "--kind", "solicitacao", "--channel", "webform", "--text", "senha")
    run = await balcao_cli(*args, cwd=tmp_path, **env)
    assert run.out[0] == "assign bia@example.org by suporte"
    after = [await count(balcao, t) for t in ("manifestations", "messages", "audit_log")]
    assert after == before


async def test_a_table_of_cases_reports_mismatches(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    cases = tmp_path / "casos.csv"
    cases.write_text(
        "kind,channel,text,expected,at\n"
        'reclamacao,webform,"O RU não abriu",forward PRAE,\n'
        'elogio,webform,"Elogio ao RU",triage,2026-12-01T10:00\n'
        'reclamacao,whatsapp,"goteira no bloco",forward PRAE by obras,\n',
        encoding="utf-8",
    )
    run = await balcao_cli(
        "routing", "test", "--file", str(cases), cwd=tmp_path, BALCAO_CONFIG=str(config)
    )
    assert run.code == 1
    assert run.out == [
        "ok linha 2: forward PRAE by restaurante-universitario",
        "ok linha 3: triage by fallback",
        "DIVERGE linha 4: esperado 'forward PRAE by obras', obtido 'forward SINFRA by obras'",
        "3 casos, 1 divergência(s)",
    ]


async def test_a_table_that_passes_exits_zero(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    cases = tmp_path / "casos.csv"
    cases.write_text(
        "kind,channel,text,expected,at\n"
        "sugestao,webform,mais refeição,forward PRAE,\n"
        "sugestao,webform,mais luz,triage by noturno,2026-12-01T21:00:00-04:00\n"
        "sugestao,webform,mais luz,triage by fallback,2026-12-01T09:00\n"
        "sugestao,webform,mais luz,triage by noturno,2026-12-05T09:00\n",
        encoding="utf-8",
    )
    run = await balcao_cli(
        "routing", "test", "--file", str(cases), cwd=tmp_path, BALCAO_CONFIG=str(config)
    )
    assert run.code == 0, run.out
    assert run.out[-1] == "4 casos, 0 divergência(s)"


async def test_bad_input_is_one_line_and_exit_status_2(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    bad_csv = tmp_path / "ruim.csv"
    bad_csv.write_text("kind,channel,text,expected\nqueixa,webform,x,triage\n", encoding="utf-8")
    runs = [
        await balcao_cli(
            "routing", "test", "--kind", "reclamacao", cwd=tmp_path, BALCAO_CONFIG=str(config)
        ),
        await balcao_cli(
            "routing", "test", "--file", str(bad_csv), cwd=tmp_path, BALCAO_CONFIG=str(config)
        ),
        await balcao_cli(
            "routing",
            "test",
            "--kind",
            "reclamacao",
            "--channel",
            "x",
            "--text",
            "y",
            cwd=tmp_path,
            BALCAO_CONFIG=str(write_config(tmp_path, CONFIG + 'then.tag = "x"\n')),
        ),
    ]
    assert [r.code for r in runs] == [2, 2, 2]
    assert [len(r.err.strip().splitlines()) for r in runs] == [1, 1, 1]
    assert "informe --kind, --channel e --text" in runs[0].err
    assert "linha 2: tipo 'queixa' desconhecido" in runs[1].err
    assert "regra 'noturno': chave 'then.tag' desconhecida" in runs[2].err
