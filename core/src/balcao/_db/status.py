"""Whether the database schema is at the newest revision of every installed branch.

The usual answer, at every start and readiness check, is "yes": the revisions stored in the
database are exactly the heads of the migration files. That is read from the files' own
``revision``/``down_revision`` lines; Alembic's script machinery (slow to import and to load)
is asked only when they differ, to say what is pending or unknown."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

from balcao._db.migrate import CORE_VERSIONS, alembic_config

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory
    from sqlalchemy.engine import Connection

    from balcao._db.engine import Database

__all__ = ["SchemaState", "file_heads", "schema_state"]

_VERSION_TABLE = "alembic_version"
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\b[^=\n]*=\s*(.+?)\s*$", re.MULTILINE)


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
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(locations))


@functools.cache
def file_heads(locations: tuple[Path, ...]) -> frozenset[str]:
    """The revisions no other revision follows, read from the migration files."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for folder in (CORE_VERSIONS, *locations):
        for path in folder.glob("*.py"):
            revision, down = _ids(path)
            if revision:
                revisions.add(revision)
                followed.update(down)
    return frozenset(revisions - followed)


def _ids(path: Path) -> tuple[str | None, tuple[str, ...]]:
    # the two assignments alone: parsing the whole file would cost more than the check saves
    found = dict(_ASSIGNMENT.findall(path.read_text(encoding="utf-8")))
    try:
        revision = ast.literal_eval(found["revision"])
        down = ast.literal_eval(found.get("down_revision", "None"))
    except (KeyError, ValueError, SyntaxError):
        return None, ()  # not read: Alembic is asked instead
    downs = (down,) if isinstance(down, str) else tuple(down) if isinstance(down, tuple) else ()
    return (revision if isinstance(revision, str) else None), downs


def _stored(connection: Connection) -> frozenset[str]:
    if not inspect(connection).has_table(_VERSION_TABLE):
        return frozenset()
    rows = connection.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}"))  # noqa: S608
    return frozenset(rows.scalars())


def _state(connection: Connection, script: ScriptDirectory) -> SchemaState:
    from alembic.runtime.migration import MigrationContext

    current = set(MigrationContext.configure(connection).get_current_heads())
    known = {r.revision for r in script.walk_revisions()}
    unknown = current - known
    applied: set[str] = set()
    for head in current & known:
        applied.update(r.revision for r in script.iterate_revisions(head, "base"))
    pending = set(script.get_heads()) - applied
    return SchemaState(not current, frozenset(pending), frozenset(unknown))


async def schema_state(database: Database, extra_locations: Iterable[Path] = ()) -> SchemaState:
    locations = tuple(extra_locations)
    async with database.engine.connect() as connection:
        stored = await connection.run_sync(_stored)
        if stored and stored == file_heads(locations):
            return SchemaState(False, frozenset(), frozenset())
        return await connection.run_sync(_state, _script(locations))
