"""Migrations: the core's Alembic history plus every plugin's own branch."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from balcao._db.engine import Database

__all__ = ["alembic_config", "upgrade"]

_HERE = Path(__file__).parent / "migrations"


def alembic_config(extra_locations: Iterable[Path] = ()) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_HERE))
    locations = [str(_HERE / "versions"), *(str(p) for p in extra_locations)]
    config.set_main_option("version_locations", " ".join(locations))
    config.set_main_option("path_separator", "space")
    return config


def _run(connection: Connection, config: Config, action: str, *args: Any) -> None:
    config.attributes["connection"] = connection
    getattr(command, action)(config, *args)


async def upgrade(database: Database, extra_locations: Iterable[Path] = ()) -> None:
    """Bring the schema to the newest revision of the core and of every plugin branch."""
    config = alembic_config(extra_locations)
    async with database.engine.begin() as connection:
        await connection.run_sync(_run, config, "upgrade", "heads")


async def autogenerate(
    database: Database, message: str, head: str = "core@head", extra_locations: Iterable[Path] = ()
) -> None:
    """Write a new revision from the difference between the models and the database."""
    config = alembic_config(extra_locations)
    async with database.engine.begin() as connection:
        await connection.run_sync(_run, config, "revision", message, True, False, head)
