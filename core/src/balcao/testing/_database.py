"""Throw-away databases: a SQLite file per test copied from a migrated template, or, with
``BALCAO_TEST_DATABASE_URL`` set to a PostgreSQL server, a migrated database per session
emptied before each test."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from balcao._db.engine import Database
from balcao._db.migrate import upgrade

__all__ = ["DatabaseFactory"]


async def _migrate(url: str, locations: tuple[Path, ...]) -> None:
    database = Database(url)
    try:
        await upgrade(database, locations)
    finally:
        await database.dispose()


class DatabaseFactory:
    """Hands out fresh database URLs; one per test."""

    def __init__(self, workdir: Path, server_url: str | None) -> None:
        self.workdir = workdir
        self.server_url = server_url
        self._templates: dict[tuple[Path, ...], str] = {}
        self._created: list[str] = []

    @property
    def is_postgresql(self) -> bool:
        return bool(self.server_url)

    async def fresh(self, locations: Iterable[Path] = ()) -> str:
        key = tuple(sorted(set(locations)))
        if key not in self._templates:
            self._templates[key] = await self._template(key)
        template = self._templates[key]
        if self.server_url:
            await _truncate(template)
            return template
        target = self.workdir / f"test-{uuid.uuid4().hex[:12]}.db"
        shutil.copyfile(template, target)
        return f"sqlite+aiosqlite:///{target}"

    async def _template(self, locations: tuple[Path, ...]) -> str:
        if self.server_url:
            name = f"balcao_test_{uuid.uuid4().hex[:10]}"
            await _admin(self.server_url, f'CREATE DATABASE "{name}"')
            self._created.append(name)
            url = make_url(self.server_url).set(database=name).render_as_string(False)
            await _migrate(url, locations)
            return url
        path = self.workdir / f"template-{len(self._templates)}.db"
        await _migrate(f"sqlite+aiosqlite:///{path}", locations)
        return str(path)

    def close(self) -> None:
        for name in self._created:
            asyncio.run(_admin(self.server_url or "", f'DROP DATABASE IF EXISTS "{name}"'))


async def _admin(server_url: str, statement: str) -> None:
    database = Database(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await database.dispose()


async def _truncate(url: str) -> None:
    database = Database(url)
    try:
        async with database.engine.begin() as connection:
            names = (
                (
                    await connection.execute(
                        text(
                            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                            "AND tablename <> 'alembic_version'"
                        )
                    )
                )
                .scalars()
                .all()
            )
            if names:
                quoted = ", ".join(f'"{n}"' for n in names)
                await connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    finally:
        await database.dispose()
