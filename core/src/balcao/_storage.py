"""A plugin's own storage: sessions that reach only the plugin's tables.

Plugins get a :class:`PluginStorage` from ``desk.storage(name)``; the core's engine, its
tables and its key ring stay out of reach. The check is made on every statement the session
runs and on every flush, so a query that names a core table fails at once, naming it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.sql import util as sql_util
from sqlalchemy.sql.elements import TextClause

from balcao._db.dialect import dialect_insert

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from balcao._db.engine import Database

__all__ = ["OutsideStorage", "PluginStorage"]

_SCOPE = "balcao_storage"


class OutsideStorage(PermissionError):
    """A plugin's session named a table that is not the plugin's own (or ran raw SQL text).

    The message names the plugin, the table and the fix: keep the plugin's tables under its
    prefix, and read the core's data through the desk (``desk.get``, ``desk.read_model``)."""


class PluginStorage:
    """The tables of one plugin, and sessions that may touch only them.

    A plugin's tables are those whose names start with its ``prefix`` (by default the plugin's
    name and ``_``, e.g. ``whatsapp_contacts``); its migrations are its own Alembic branch
    (``balcao_register_migrations``). Get one with ``desk.storage("whatsapp")``.

    Example::

        storage = desk.storage("whatsapp")
        async with storage.write() as session:
            session.add(ContactRow(address_hash=key, step="idle"))
        async with storage.read() as session:
            row = await session.get(ContactRow, key)
    """

    def __init__(self, database: Database, owner: str, prefix: str | None = None) -> None:
        self._database = database
        self.owner = owner
        self.prefix = prefix if prefix is not None else f"{owner}_"

    @property
    def dialect(self) -> str:
        """The database's dialect name, ``"sqlite"`` or ``"postgresql"`` (for an upsert)."""
        return self._database.dialect

    def owns(self, table: str) -> bool:
        """Whether ``table`` is one of this plugin's tables."""
        return table.startswith(self.prefix)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only session (nothing is committed) over the plugin's tables.

        Raises:
            OutsideStorage: a statement names another table."""
        async with self._database.read() as session:
            with self._scoped(session):
                yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A write transaction over the plugin's tables, committed when the block ends and
        rolled back on an exception. Keep it short: on SQLite it holds the only write lock.

        Raises:
            OutsideStorage: a statement or a flushed object names another table."""
        async with self._database.write() as session:
            with self._scoped(session):
                yield session

    async def insert_ignore(
        self, session: AsyncSession, table: Any, values: dict[str, Any]
    ) -> bool:
        """``INSERT ... ON CONFLICT DO NOTHING`` into one of the plugin's tables (a model or a
        ``Table``), on SQLite and PostgreSQL alike; True when a row was inserted.

        Example::

            async with storage.write() as session:
                fresh = await storage.insert_ignore(session, SentRow, {"key": key})"""
        result = await session.execute(
            dialect_insert(self.dialect)(table).values(**values).on_conflict_do_nothing()
        )
        return bool(getattr(result, "rowcount", 0))

    def _scoped(self, session: AsyncSession) -> _Scope:
        return _Scope(session.sync_session, self)

    def check(self, tables: Iterable[str]) -> None:
        """Raise :class:`OutsideStorage` for the first table in ``tables`` not owned."""
        for name in tables:
            if not self.owns(name):
                raise OutsideStorage(
                    f"plugin '{self.owner}': a tabela '{name}' não é do plugin (as suas começam"
                    f" com '{self.prefix}'); leia os dados do núcleo pelo desk"
                )


class _Scope:
    """Marks a session as a plugin's while the block runs."""

    def __init__(self, session: Session, storage: PluginStorage) -> None:
        self._session, self._storage = session, storage

    def __enter__(self) -> None:
        self._session.info[_SCOPE] = self._storage

    def __exit__(self, *_: object) -> None:
        self._session.info.pop(_SCOPE, None)


def _tables_of(statement: Any) -> list[str]:
    found = sql_util.find_tables(
        statement, include_aliases=True, include_joins=True, include_crud=True
    )
    return [t.name for t in found if hasattr(t, "name")]


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    storage = state.session.info.get(_SCOPE)
    if storage is None:
        return
    if isinstance(state.statement, TextClause):
        raise OutsideStorage(f"plugin '{storage.owner}': SQL em texto não é aceito; use tabelas")
    storage.check(_tables_of(state.statement))


@event.listens_for(Session, "before_flush")
def _on_flush(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    storage = session.info.get(_SCOPE)
    if storage is None:
        return
    for item in (*session.new, *session.dirty, *session.deleted):
        table = getattr(type(item), "__table__", None)
        storage.check([table.name] if table is not None else [])
