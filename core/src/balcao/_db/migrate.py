"""Migrations: the core's Alembic history plus every plugin's own branch."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection

    from balcao._db.engine import Database

__all__ = ["CORE_VERSIONS", "alembic_config", "upgrade"]

# Alembic (and Mako, and Pygments behind it) is imported only to migrate: a start against a
# schema already at its heads reads the revisions itself (see status.py).
_HERE = Path(__file__).parent / "migrations"
CORE_VERSIONS = _HERE / "versions"


def alembic_config(extra_locations: Iterable[Path] = ()) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_HERE))
    locations = [str(CORE_VERSIONS), *(str(p) for p in extra_locations)]
    config.set_main_option("version_locations", " ".join(locations))
    config.set_main_option("path_separator", "space")
    return config


def _run(connection: Connection, config: Config, action: str, *args: Any) -> None:
    from alembic import command

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
