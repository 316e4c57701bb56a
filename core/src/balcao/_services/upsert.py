"""``INSERT ... ON CONFLICT DO NOTHING`` on both databases: uniqueness is the database's job."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from balcao._db.dialect import dialect_insert, dialect_name

__all__ = ["insert_ignore"]


async def insert_ignore(
    session: AsyncSession | AsyncConnection,
    table: Any,
    values: dict[str, Any],
    returning: Any = None,
) -> Any:
    """Insert unless a unique constraint says it exists; the ``returning`` column or None."""
    insert = dialect_insert(dialect_name(session))
    statement = insert(table).values(**values).on_conflict_do_nothing()
    if returning is None:
        await session.execute(statement)
        return None
    return (await session.execute(statement.returning(returning))).scalar_one_or_none()
