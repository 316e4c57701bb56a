"""Small database functions shared by the plugin's modules."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from balcao import Desk

__all__ = ["address_hash", "insert_ignore", "seal", "unseal"]


async def insert_ignore(session: AsyncSession, table: Any, values: dict[str, Any]) -> bool:
    """``INSERT ... ON CONFLICT DO NOTHING``; True when a row was inserted."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    module: Any = postgresql if dialect == "postgresql" else sqlite
    result = await session.execute(module.insert(table).values(**values).on_conflict_do_nothing())
    return bool(getattr(result, "rowcount", 0))


def address_hash(desk: Desk, address: str) -> str:
    """A keyed hash of a WhatsApp address: state is kept without the number in clear."""
    return desk.keys.digest(f"whatsapp:{address}")


def seal(desk: Desk, address: str) -> str:
    return desk.keys.encrypt(address.encode())


def unseal(desk: Desk, sealed: str) -> str:
    return desk.keys.decrypt(sealed).decode()
