"""Whether the database schema is at the newest revision of every installed branch."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from balcao._db.engine import Database
from balcao._db.migrate import alembic_config

__all__ = ["pending_heads"]


async def pending_heads(database: Database, extra_locations: Iterable[Path] = ()) -> set[str]:
    """Revisions the code has and the database lacks (empty: up to date)."""
    script = ScriptDirectory.from_config(alembic_config(extra_locations))

    def missing(connection: Connection) -> set[str]:
        current = set(MigrationContext.configure(connection).get_current_heads())
        applied: set[str] = set()
        for head in current:
            applied.update(r.revision for r in script.iterate_revisions(head, "base"))
        return set(script.get_heads()) - applied

    async with database.engine.connect() as connection:
        return await connection.run_sync(missing)
