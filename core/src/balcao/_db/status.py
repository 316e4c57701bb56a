"""Whether the database schema is at the newest revision of every installed branch."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from balcao._db.engine import Database
from balcao._db.migrate import alembic_config

__all__ = ["SchemaState", "schema_state"]


@dataclass(frozen=True)
class SchemaState:
    """``empty``: no migration ever ran; ``pending``: revisions the code has and the database
    lacks; ``unknown``: revisions the database has and the code does not (a newer release)."""

    empty: bool
    pending: frozenset[str]
    unknown: frozenset[str]


@functools.cache
def _script(locations: tuple[Path, ...]) -> ScriptDirectory:
    # reading every migration file is slow: once per process (readiness asks often)
    return ScriptDirectory.from_config(alembic_config(locations))


def _state(connection: Connection, script: ScriptDirectory) -> SchemaState:
    current = set(MigrationContext.configure(connection).get_current_heads())
    known = {r.revision for r in script.walk_revisions()}
    unknown = current - known
    applied: set[str] = set()
    for head in current & known:
        applied.update(r.revision for r in script.iterate_revisions(head, "base"))
    pending = set(script.get_heads()) - applied
    return SchemaState(not current, frozenset(pending), frozenset(unknown))


async def schema_state(database: Database, extra_locations: Iterable[Path] = ()) -> SchemaState:
    script = _script(tuple(extra_locations))
    async with database.engine.connect() as connection:
        return await connection.run_sync(_state, script)
