"""The restore drill: back up, wipe, restore; every manifestation, attachment and sealed
identity reads back, with the secret key supplied apart from the backup."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from balcao import Actor, Citizen, IncomingFile, Kind, NewManifestation
from balcao._config import load_settings
from balcao._runtime import Runtime, build_runtime
from balcao.testing import RecordingChannel
from balcao.testing._database import _admin

from .server import SECRET, balcao, database

OUVIDOR = Actor(kind="user", name="ouvidor@ufmt.br", role="ouvidor")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CASES = [
    (
        "Servidor cobrou taxa indevida na matrícula.",
        Citizen(name="Ana Lima", email="ana@example.org"),
    ),
    ("O ônibus do campus não passou hoje.", Citizen(name="Rui Costa", phone="65 99999-0000")),
]


def _runtime(url: str, files: Path, channel: RecordingChannel) -> Runtime:
    settings = load_settings(
        {"BALCAO_CONFIG": os.devnull}, database_url=url, secret_key=SECRET, files_dir=str(files)
    )
    return build_runtime(settings, plugins=[(channel.name, channel)], load_entrypoints=False)


async def _populate(runtime: Runtime, channel: str) -> list[str]:
    protocols = []
    for n, (text, citizen) in enumerate(CASES):
        receipt = await runtime.desk.intake(
            NewManifestation(
                kind=Kind.RECLAMACAO,
                channel=channel,
                description=text,
                citizen=citizen,
                files=(IncomingFile(filename=f"prova-{n}.pdf", content=PDF + bytes([n])),),
            )
        )
        protocols.append(receipt.protocol)
    return protocols


async def _read_back(runtime: Runtime, protocol: str) -> tuple[str, list[bytes], Citizen | None]:
    desk = runtime.desk
    case = await desk.get(protocol)
    files = [desk.read_attachment(a) for a in await desk.attachments(protocol)]
    identity = await desk.reveal_identity(protocol, OUVIDOR, "teste de restauração")
    return case.description, files, identity


def _wipe(url: str, tmp_path: Path, files: Path) -> None:
    shutil.rmtree(files)
    if url.startswith("sqlite"):
        (tmp_path / "balcao.db").unlink()


def _holds_the_key(copy: Path) -> bool:
    return any(p.is_file() and SECRET.encode() in p.read_bytes() for p in copy.rglob("*"))


async def test_restore_drill(tmp_path: Path, recording_channel: RecordingChannel) -> None:
    files = tmp_path / "files"
    with database(tmp_path) as url:
        env = {"BALCAO_DATABASE_URL": url, "BALCAO_FILES_DIR": str(files)}
        assert balcao(tmp_path, "db", "upgrade", **env).returncode == 0
        runtime = _runtime(url, files, recording_channel)
        try:
            protocols = await _populate(runtime, recording_channel.name)
            before = [await _read_back(runtime, p) for p in protocols]
        finally:
            await runtime.close()

        made = balcao(tmp_path, "backup", "--to", str(tmp_path / "copias"), **env)
        assert made.returncode == 0, made.stderr
        assert "NÃO está na cópia" in made.stderr
        copy = Path(made.stdout.strip().removeprefix("cópia gravada em "))
        assert not _holds_the_key(copy)

        _wipe(url, tmp_path, files)
        if not url.startswith("sqlite"):
            await _admin(url, "DROP SCHEMA public CASCADE")
            await _admin(url, "CREATE SCHEMA public")
        restored = balcao(tmp_path, "restore", "--from", str(copy), **env)
        assert restored.returncode == 0, restored.stderr

        runtime = _runtime(url, files, recording_channel)
        try:
            after = [await _read_back(runtime, p) for p in protocols]
        finally:
            await runtime.close()
    assert after == before
    assert [b[1] for b in before] == [[PDF + b"\x00"], [PDF + b"\x01"]]
    assert [b[2] for b in before] == [c for _, c in CASES]


def test_restore_refuses_to_overwrite_without_replace(tmp_path: Path) -> None:
    with database(tmp_path) as url:
        env = {"BALCAO_DATABASE_URL": url, "BALCAO_FILES_DIR": str(tmp_path / "files")}
        assert balcao(tmp_path, "db", "upgrade", **env).returncode == 0
        made = balcao(tmp_path, "backup", "--to", str(tmp_path / "copias"), **env)
        copy = made.stdout.strip().removeprefix("cópia gravada em ")
        if url.startswith("sqlite"):
            refused = balcao(tmp_path, "restore", "--from", copy, **env)
            assert refused.returncode == 2
            assert "use --replace" in refused.stderr
        replaced = balcao(tmp_path, "restore", "--from", copy, "--replace", **env)
        assert replaced.returncode == 0, replaced.stderr
