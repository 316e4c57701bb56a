"""Smaller holes: caching of identity answers, invisible characters in names, the units
tree, one budget of access-code guesses, and files only their owner can read."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from balcao import Citizen, IncomingFile
from balcao.testing import Balcao

from ..test_cli import run
from .conftest import full_settings, log_in

HIDDEN = ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200b", "\u200f", "\x85"]


async def test_identity_answers_are_never_cached(full: Balcao) -> None:
    protocol = (await full.manifestation(kind="denuncia")).protocol
    _, auth = await full.user("ouvidor")
    reveal = await full.client.post(
        f"/api/v1/manifestations/{protocol}/identity", json={"reason": "apuração"}, headers=auth
    )
    assert reveal.status_code == 200 and reveal.json()["name"] == "Maria da Silva"
    assert reveal.headers["cache-control"] == "no-store"
    for url in (f"/staff/manifestacoes/{protocol}", f"/api/v1/manifestations/{protocol}"):
        assert (await full.client.get(url, headers=auth)).headers["cache-control"] == "no-store"


async def test_bidi_and_invisible_characters_leave_file_and_citizen_names(full: Balcao) -> None:
    spoof = "fatura" + "".join(HIDDEN) + "fdp.exe"
    photo = IncomingFile(filename=spoof, content=b"texto simples do anexo")
    citizen = Citizen(name="Maria\u202e\u200b da Silva", email="maria@example.org")
    protocol = (await full.manifestation(citizen=citizen, files=(photo,))).protocol
    _, auth = await full.user("ouvidor")
    page = await full.client.get(f"/staff/manifestacoes/{protocol}", headers=auth)
    assert "faturafdp.exe" in page.text
    assert not any(c in page.text for c in HIDDEN)
    reveal = await full.client.post(
        f"/api/v1/manifestations/{protocol}/identity", json={"reason": "apuração"}, headers=auth
    )
    assert reveal.json()["name"] == "Maria da Silva"


async def _save_unit(balcao: Balcao, **unit: str) -> tuple[int, str]:
    _, auth = await balcao.user("ouvidor")
    answer = await balcao.client.post("/api/v1/units", json=unit, headers=auth)
    return answer.status_code, answer.text


async def test_units_api_refuses_a_bad_tree(full: Balcao) -> None:
    assert (await _save_unit(full, code="PROEG", name="Pró-reitoria de Graduação"))[0] == 201
    assert (await _save_unit(full, code="DEG", name="Diretoria", parent="PROEG"))[0] == 201
    refusals = [
        (await _save_unit(full, code="", name="Sem código"), "código"),
        (await _save_unit(full, code="   ", name="Sem código"), "código"),
        (await _save_unit(full, code="X", name=""), "nome"),
        (await _save_unit(full, code="SELF", name="Eu", parent="SELF"), "si mesma"),
        (await _save_unit(full, code="ORF", name="Órfã", parent="NADA"), "não existe"),
        (await _save_unit(full, code="PROEG", name="Pró", parent="DEG"), "ciclo"),
    ]
    for (status, text), words in refusals:
        assert status == 422 and words in text, (status, text)
    _, auth = await full.user("ouvidor")
    units = (await full.client.get("/api/v1/units", headers=auth)).json()
    assert {(u["code"], u["parent"]) for u in units} == {("PROEG", None), ("DEG", "PROEG")}


async def test_units_page_and_import_refuse_a_bad_tree(full: Balcao) -> None:
    token = await log_in(full)
    await _save_unit(full, code="PROEG", name="Pró-reitoria")
    form = await full.client.post(
        "/staff/unidades",
        data={"code": "PROEG", "name": "Pró", "parent": "PROEG", "_csrf_token": token},
    )
    assert form.status_code == 422 and "não pode ser superior de si mesma" in form.text
    loop = b"codigo,nome,superior\nA,Unidade A,B\nB,Unidade B,A\nC,Unidade C,\n"
    upload = await full.client.post(
        "/staff/unidades/importar",
        data={"_csrf_token": token},
        files={"file": ("unidades.csv", loop, "text/csv")},
    )
    assert upload.status_code == 422 and "ciclo" in upload.text
    _, auth = await full.user("ouvidor")
    codes = {u["code"] for u in (await full.client.get("/api/v1/units", headers=auth)).json()}
    assert codes == {"PROEG"}  # all or nothing: C was not saved either


async def test_meet_and_tracking_share_one_budget_of_guesses(make_balcao: object) -> None:
    import balcao_meet

    settings = {**full_settings(), "tracking_rate_limit_per_hour": 4}
    balcao: Balcao = await make_balcao(plugins=[("meet", balcao_meet)], settings=settings)  # type: ignore[operator]
    guess = {"protocol": "2026-000001", "access_code": "AAAAA-AAAAA"}
    meet = "/channels/meet/api/bookings/2026-000001"
    answers = [
        (await balcao.client.post("/api/v1/tracking", json=guess)).status_code,
        (await balcao.client.get(meet, headers={"x-access-code": "AAAAA-AAAAA"})).status_code,
        (await balcao.client.post("/api/v1/tracking", json=guess)).status_code,
        (await balcao.client.get(meet, headers={"x-access-code": "BBBBB-BBBBB"})).status_code,
        (await balcao.client.post("/api/v1/tracking", json=guess)).status_code,
        (await balcao.client.get(meet, headers={"x-access-code": "CCCCC-CCCCC"})).status_code,
    ]
    assert answers == [404, 404, 404, 404, 429, 429]


def _private(path: Path, mode: int) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == mode


def test_the_database_and_its_wal_are_readable_only_by_the_owner(tmp_path: Path) -> None:
    upgraded = run(tmp_path, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    database = tmp_path / "balcao.db"
    assert _private(database, 0o600)
    with sqlite3.connect(database) as connection:  # another writer: -wal and -shm appear
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE probe (x)")
        for suffix in ("-wal", "-shm"):
            assert _private(tmp_path / f"balcao.db{suffix}", 0o600), suffix


def test_an_old_world_readable_database_is_tightened(tmp_path: Path) -> None:
    database = tmp_path / "balcao.db"
    sqlite3.connect(database).close()
    database.chmod(0o644)
    assert run(tmp_path, "db", "upgrade").returncode == 0
    assert _private(database, 0o600)


@pytest.mark.parametrize("name", ["relatorio.txt"])
async def test_the_files_folder_is_readable_only_by_the_owner(
    make_balcao: object, tmp_path: Path, name: str
) -> None:
    balcao: Balcao = await make_balcao()  # type: ignore[operator]
    await balcao.manifestation(files=(IncomingFile(filename=name, content=b"texto simples"),))
    root = tmp_path / "files"
    stored = [p for p in root.rglob("*") if p.is_file()]
    assert stored and all(_private(p, 0o600) for p in stored)
    folders = [root, *(p for p in root.rglob("*") if p.is_dir())]
    assert all(_private(p, 0o700) for p in folders), [oct(p.stat().st_mode) for p in folders]
