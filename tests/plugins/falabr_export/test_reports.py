"""Reporting exports: Layout B CSV (no identity, no free text) and payload-shaped JSON."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from balcao import Kind, State
from balcao.testing import TEST_SECRET, Balcao

from .common import MARIA, REPORT, new_case

HEADER = (
    "Data Registro;Data Prazo Resposta;Data Resposta;Faixa Etária;Raça/Cor;Gênero;"
    "Município Manifestante;UF do Município Manifestante;Município Manifestação;"
    "UF do Município Manifestação;Tipo Manifestação;Nome Órgão;Município do Órgão;UF do Órgão;"
    "Assunto;Dias para Resolução;Dias de Atraso;Formulário;Situação;Esfera;Serviço;"
    "Outro Serviço;Demanda Atendida;Satisfação"
)
SECRET_TEXT = "Relato sigiloso sobre o laboratório 12."


async def seed(app: Balcao) -> list[str]:
    """Three cases on 01/12 (one answered on 03/12), one on 05/12 outside the period."""
    ouvidor, _ = await app.user("ouvidor")
    answered = await new_case(app, Kind.RECLAMACAO, text=SECRET_TEXT)
    denuncia = await new_case(app, Kind.DENUNCIA, text=SECRET_TEXT)
    anonymous = await new_case(app, Kind.DENUNCIA, anonymous=True, text=SECRET_TEXT)
    app.clock.advance(days=2)
    await app.desk.transition(answered, State.ANSWERED, ouvidor, "respondida")
    app.clock.advance(days=2)
    await new_case(app, Kind.ELOGIO)
    return [answered, denuncia, anonymous]


async def download(app: Balcao, **params: str) -> tuple[int, bytes, dict[str, str]]:
    _, headers = await app.user("auditor")
    query = {"from": "2026-12-01", "to": "2026-12-02", **params}
    response = await app.client.get(REPORT, params=query, headers=headers)
    return response.status_code, response.content, dict(response.headers)


def parse(content: bytes, encoding: str = "utf-8") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode(encoding)), delimiter=";"))


async def test_csv_has_layout_b_and_no_identity_or_free_text(app: Balcao) -> None:
    await seed(app)
    code, content, headers = await download(app)
    assert code == 200
    assert headers["content-type"].startswith("text/csv")
    assert "falabr-20261201-20261202.csv" in headers["content-disposition"]
    text = content.decode("utf-8")
    assert text.splitlines()[0] == HEADER
    rows = parse(content)
    assert [r["Tipo Manifestação"] for r in rows] == ["Reclamação", "Denúncia", "Comunicação"]
    answered = rows[0]
    assert answered["Data Registro"] == "01/12/2026"
    assert answered["Data Resposta"] == "03/12/2026"
    assert answered["Dias para Resolução"] == "2"
    assert answered["Dias de Atraso"] == "0"
    assert answered["Situação"] == "Concluída"
    assert answered["Nome Órgão"] == "Fundação Universidade Federal de Mato Grosso"
    assert rows[1]["Formulário"] == "Denúncia"
    assert rows[1]["Situação"] == "Cadastrada"
    assert rows[1]["Data Prazo Resposta"].endswith("/2026")
    for secret in (MARIA.name, MARIA.email, "52998224725", "529.982.247-25", SECRET_TEXT):
        assert secret not in text
    assert "2026-0000" not in text  # no protocol numbers either


async def test_csv_in_latin_1(app: Balcao) -> None:
    await seed(app)
    code, content, headers = await download(app, encoding="latin-1")
    assert code == 200
    assert "latin-1" in headers["content-type"]
    assert "Reclamação".encode("latin-1") in content
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    assert parse(content, "latin-1")[0]["Tipo Manifestação"] == "Reclamação"


async def test_json_is_shaped_like_the_create_payload(app: Balcao) -> None:
    answered, denuncia, anonymous = await seed(app)
    code, content, headers = await download(app, format="json")
    assert code == 200
    assert headers["content-type"].startswith("application/json")
    items = json.loads(content)
    assert [i["IdTipoManifestacao"] for i in items] == [2, 1, 7]
    assert all("Manifestante" not in i for i in items)
    assert [json.loads(i["DadosExtraJson"])["ProtocoloBalcao"] for i in items] == [
        answered,
        denuncia,
        anonymous,
    ]
    assert SECRET_TEXT in items[0]["TextoManifestacao"]


async def test_bad_report_parameters_are_explained(app: Balcao) -> None:
    for params, word in (
        ({"from": "01/12/2026"}, "AAAA-MM-DD"),
        ({"from": "2026-12-05", "to": "2026-12-01"}, "posterior"),
        ({"format": "xlsx"}, "format"),
        ({"encoding": "utf-16"}, "encoding"),
    ):
        code, content, _ = await download(app, **params)
        assert code == 422, params
        assert word in json.loads(content)["detail"]


def leftovers(folder: Path) -> list[str]:
    """Temporary files the command may have left behind."""
    return [p.name for p in folder.iterdir() if p.name.startswith(".falabr-")]


def run_cli(
    app: Balcao, tmp_path: Path, *args: str, stderr: int = subprocess.PIPE
) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "balcao.toml"
    config.write_text('[plugins.falabr_export]\norgao_name = "UFMT"\norgao_state = "MT"\n')
    env = {
        **os.environ,
        "BALCAO_CONFIG": str(config),
        "BALCAO_DATABASE_URL": app.desk.database.url,
        "BALCAO_SECRET_KEY": TEST_SECRET,
    }
    program = Path(sys.executable).parent / "balcao"
    return subprocess.run(
        [str(program), "export", "falabr", *args],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        timeout=120,
        check=False,
    )


async def test_command_line_export_to_file(app: Balcao, tmp_path: Path) -> None:
    await seed(app)
    target = tmp_path / "saida.csv"
    done = run_cli(
        app,
        tmp_path,
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-05",
        "--format",
        "csv",
        "--encoding",
        "latin-1",
        "-o",
        str(target),
    )
    assert done.returncode == 0, done.stderr
    rows = parse(target.read_bytes(), "latin-1")
    assert len(rows) == 4
    assert {r["Nome Órgão"] for r in rows} == {"UFMT"}
    assert leftovers(tmp_path) == []
    assert "exportando" not in done.stderr  # no progress bar when not on a terminal


async def test_command_line_shows_progress_on_a_terminal(app: Balcao, tmp_path: Path) -> None:
    await seed(app)
    controller, terminal = pty.openpty()
    try:
        done = run_cli(
            app,
            tmp_path,
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-05",
            "--format",
            "csv",
            "-o",
            str(tmp_path / "saida.csv"),
            stderr=terminal,
        )
        shown = os.read(controller, 65536).decode(errors="replace")
    finally:
        os.close(controller)
        os.close(terminal)
    assert done.returncode == 0
    assert "exportando" in shown
    assert "100%" in shown


async def test_command_line_json_to_stdout(app: Balcao, tmp_path: Path) -> None:
    await seed(app)
    done = run_cli(app, tmp_path, "--from", "2026-12-05", "--to", "2026-12-05", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert [i["IdTipoManifestacao"] for i in json.loads(done.stdout)] == [3]


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (["--from", "2026-13-01", "--to", "2026-12-05", "--format", "csv"], "--from"),
        (["--from", "2026-12-05", "--to", "2026-12-01", "--format", "csv"], "--to"),
        (["--from", "2026-12-01", "--to", "2026-12-05", "--format", "xml"], "--format"),
    ],
)
async def test_command_line_bad_input(
    app: Balcao, tmp_path: Path, args: list[str], word: str
) -> None:
    target = tmp_path / "nada.csv"
    done = run_cli(app, tmp_path, *args, "-o", str(target))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert word in done.stderr
    assert not target.exists()
