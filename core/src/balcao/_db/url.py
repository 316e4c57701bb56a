"""What a bad ``BALCAO_DATABASE_URL`` means, in one line that names the setting and the fix."""

from __future__ import annotations

import contextlib
import os

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from balcao._config import ConfigError

__all__ = ["asyncpg_dsn", "check_database_url", "connection_problem", "owner_only"]

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


def asyncpg_dsn(raw: str) -> str:
    """The ``postgresql://`` address asyncpg connects to, for a connection of our own."""
    return make_url(raw).set(drivername="postgresql").render_as_string(hide_password=False)


def owner_only(database: str | None) -> None:
    """Make the SQLite file readable by its owner alone, as the secret key is. Called as
    each connection opens, before WAL mode: SQLite gives the -wal and -shm files it creates
    the database file's permissions. An older file readable by others is tightened too."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    for each in (database, f"{database}-wal", f"{database}-shm"):
        with contextlib.suppress(OSError):  # absent, or not ours to change
            mode = os.stat(each).st_mode
            if mode & 0o077:
                os.chmod(each, mode & 0o700)


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
