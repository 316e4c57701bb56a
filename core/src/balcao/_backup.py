"""``balcao backup`` / ``balcao restore``: a consistent copy of the database (SQLite's online
backup, or ``pg_dump``) and of the files folder. The secret key is never in a backup: it is
kept apart, and a restore reads the identities only with it."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from balcao._config import Settings

__all__ = ["KEY_REMINDER", "BackupError", "backup", "restore"]

KEY_REMINDER = (
    "a chave secreta (BALCAO_SECRET_KEY ou o arquivo balcao.secret) NÃO está na cópia: "
    "guarde-a à parte; sem ela as identidades cifradas não podem ser lidas"
)
_MANIFEST = "balcao-backup.json"
_SQLITE_COPY, _PG_COPY, _FILES = "database.sqlite3", "database.pgdump", "files"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def _sqlite_path(settings: Settings) -> Path:
    path = make_url(settings.database_url).database
    if not path or path == ":memory:":
        raise BackupError("banco SQLite em memória: nada a copiar")
    return Path(path)


def _pg_command(settings: Settings, program: str) -> tuple[list[str], dict[str, str]]:
    """The program with a libpq address; the password goes in the environment, not argv."""
    found = shutil.which(program)
    if found is None:
        raise BackupError(f"{program} não encontrado: instale o cliente do PostgreSQL")
    url = make_url(settings.database_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return [found, "--dbname", plain], env


def _run(command: list[str], env: dict[str, str]) -> None:
    # the program was found with shutil.which; every argument is ours, none a user's text
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["sem mensagem"])[-1]
        raise BackupError(f"{Path(command[0]).name} falhou: {last}")


def _sqlite_copy(source: Path, target: Path) -> None:
    # the online backup API: a consistent copy while instances keep writing
    with (
        contextlib.closing(sqlite3.connect(source)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)


def backup(settings: Settings, folder: Path, now: dt.datetime) -> Path:
    """Write a new backup under ``folder``; returns its directory."""
    target = folder / f"balcao-{now:%Y%m%d-%H%M%S}"
    target.mkdir(parents=True, exist_ok=False)
    target.chmod(0o700)
    if settings.is_sqlite:
        _sqlite_copy(_sqlite_path(settings), target / _SQLITE_COPY)
    else:
        command, env = _pg_command(settings, "pg_dump")
        _run([*command, "--format=custom", "--no-owner", "--file", str(target / _PG_COPY)], env)
    files = settings.attachments_dir
    if files.exists():
        shutil.copytree(files, target / _FILES)
    manifest = {
        "created_at": now.isoformat(),
        "database": "sqlite" if settings.is_sqlite else "postgresql",
    }
    (target / _MANIFEST).write_text(json.dumps(manifest, indent=2))
    return target


def _manifest(source: Path) -> dict[str, str]:
    try:
        data: dict[str, str] = json.loads((source / _MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(
            f"{source} não é uma cópia do balcão ({_MANIFEST} ausente ou ilegível)"
        ) from exc
    return data


def restore(settings: Settings, source: Path, replace: bool) -> None:
    """Put the database and the files folder back from ``source``."""
    kind = _manifest(source)["database"]
    if kind != ("sqlite" if settings.is_sqlite else "postgresql"):
        raise BackupError(
            f"a cópia é de um banco {kind}; BALCAO_DATABASE_URL aponta para outro tipo"
        )
    if settings.is_sqlite:
        _restore_sqlite(settings, source, replace)
    else:
        command, env = _pg_command(settings, "pg_restore")
        flags = ["--clean", "--if-exists"] if replace else []
        _run([*command, *flags, "--no-owner", "--exit-on-error", str(source / _PG_COPY)], env)
    _restore_files(settings.attachments_dir, source / _FILES, replace)


def _restore_sqlite(settings: Settings, source: Path, replace: bool) -> None:
    target = _sqlite_path(settings)
    if target.exists() and target.stat().st_size and not replace:
        raise BackupError(f"{target} já existe: use --replace para substituí-lo")
    target.parent.mkdir(parents=True, exist_ok=True)
    _sqlite_copy(source / _SQLITE_COPY, target)


def _restore_files(folder: Path, saved: Path, replace: bool) -> None:
    if not saved.exists():
        return
    if folder.exists() and any(p.is_file() for p in folder.rglob("*")):
        if not replace:
            raise BackupError(f"a pasta de arquivos {folder} não está vazia: use --replace")
        shutil.rmtree(folder)
    shutil.copytree(saved, folder, dirs_exist_ok=True)
