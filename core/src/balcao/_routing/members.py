"""Round-robin among a unit's members: the available member (active, not away) who was
assigned a manifestation least recently, so assignments spread evenly."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import ManifestationRow, UserRow

__all__ = ["next_member", "round_robin"]


async def next_member(session: AsyncSession, unit: str) -> UserRow | None:
    """The member of ``unit`` whose latest assignment is oldest (never assigned first)."""
    latest = (
        select(ManifestationRow.assignee_id, func.max(ManifestationRow.id).label("last_id"))
        .where(ManifestationRow.assignee_id.is_not(None))
        .group_by(ManifestationRow.assignee_id)
        .subquery()
    )
    query = (
        select(UserRow)
        .outerjoin(latest, latest.c.assignee_id == UserRow.id)
        .where(UserRow.unit_code == unit, UserRow.active.is_(True), UserRow.away.is_(False))
        .order_by(func.coalesce(latest.c.last_id, 0), UserRow.id)
        .limit(1)
    )
    return (await session.scalars(query)).first()


async def round_robin(session: AsyncSession, unit: str, reason: str) -> tuple[int | None, str]:
    """The assignee's id and the routing reason, which says who was chosen and why."""
    member = await next_member(session, unit)
    if member is None:
        return None, f"{reason}; rodízio em {unit}: nenhum membro disponível, fica sem responsável"
    return member.id, f"{reason}; rodízio em {unit}: atribuída a {member.name}"
