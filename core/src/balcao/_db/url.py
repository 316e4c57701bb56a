"""What a bad ``BALCAO_DATABASE_URL`` means, in one line that names the setting and the fix."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from balcao._config import ConfigError

__all__ = ["check_database_url", "connection_problem", "owner_only"]

_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
_FIX = "use sqlite+aiosqlite:///balcao.db ou postgresql+asyncpg://usuário:senha@host:5432/banco"


def check_database_url(raw: str) -> URL:
    """The parsed URL, or :class:`ConfigError` when no supported driver can use it."""
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(f"BALCAO_DATABASE_URL não é uma URL de banco de dados: {_FIX}") from None
    if url.drivername in _DRIVERS:
        return url
    if url.get_backend_name() in ("postgresql", "sqlite"):
        raise ConfigError(
            f"BALCAO_DATABASE_URL '{url.drivername}://' não indica o driver assíncrono: {_FIX}"
        )
    raise ConfigError(f"BALCAO_DATABASE_URL: banco '{url.drivername}' não suportado: {_FIX}")


def owner_only(database: str | None) -> None:
    """Make the SQLite file readable by its owner alone, as the secret key is: created so
    when new (SQLite gives its -wal and -shm files the database file's permissions), and
    tightened when an older version left it readable by others."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.is_dir():
        return  # opening it will fail, and say so (connection_problem)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for each in (path, Path(f"{database}-wal"), Path(f"{database}-shm")):
        with contextlib.suppress(OSError):  # not ours to change: leave it as it is
            if each.stat().st_mode & 0o077:
                each.chmod(each.stat().st_mode & 0o700)


def connection_problem(raw: str, exc: BaseException) -> str:
    """Why the database did not answer, without the password."""
    url = make_url(raw)
    if url.get_backend_name() == "sqlite":
        return (
            f"BALCAO_DATABASE_URL: não foi possível abrir o arquivo {url.database!r} "
            f"({_reason(exc)}): confira se a pasta existe e se pode ser escrita"
        )
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    return (
        f"BALCAO_DATABASE_URL: não foi possível conectar a {where}/{url.database or ''} "
        f"({_reason(exc)}): confira host, porta, usuário e senha, e se o PostgreSQL está no ar"
    )


def _reason(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    return " ".join(str(original).split())[:200] or type(original).__name__
