"""What is new for a staff member: citizens' messages on the cases assigned to them, after
a given message number (a cursor the browser keeps), as counts per case."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import ManifestationRow, MessageRow
from balcao._types import Actor

__all__ = ["Notices", "new_messages"]

_MAX_CASES = 20


@dataclass(frozen=True)
class Notices:
    since: int  # the newest message number seen: the cursor of the next question
    cases: list[tuple[str, int]]  # protocol, new citizen messages


async def new_messages(session: AsyncSession, actor: Actor, since: int | None) -> Notices:
    """A unit member gets nothing: citizens' messages are not theirs to read. Without
    ``since`` only the cursor is given (what exists now is not new)."""
    latest = int(await session.scalar(select(func.max(MessageRow.id))) or 0)
    if since is None or actor.role == "unidade" or actor.user_id is None:
        return Notices(since=latest, cases=[])
    query = (
        select(ManifestationRow.protocol, func.count(MessageRow.id))
        .join(MessageRow, MessageRow.manifestation_id == ManifestationRow.id)
        .where(
            ManifestationRow.assignee_id == actor.user_id,
            MessageRow.direction == "inbound",
            MessageRow.id > since,
            MessageRow.id <= latest,
        )
        .group_by(ManifestationRow.protocol)
        .order_by(ManifestationRow.protocol)
        .limit(_MAX_CASES)
    )
    found = [(protocol, int(n)) for protocol, n in (await session.execute(query)).all()]
    return Notices(since=latest, cases=found)
