"""The files a citizen sent with a manifestation, as the tracking page lists them."""

from __future__ import annotations

import msgspec
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import AttachmentRow, MessageRow

__all__ = ["SentFile", "sent_files"]


class SentFile(msgspec.Struct, frozen=True, kw_only=True):
    """A file's name and size, never its content or where it is stored."""

    filename: str
    size: int
    received: bool


async def sent_files(session: AsyncSession, manifestation_id: int) -> list[SentFile]:
    """The citizen's files (with the first message or a later one from the citizen), oldest
    first; files attached to anything the staff wrote are not the citizen's."""
    query = (
        select(AttachmentRow.filename, AttachmentRow.size, AttachmentRow.state)
        .outerjoin(MessageRow, MessageRow.id == AttachmentRow.message_id)
        .where(AttachmentRow.manifestation_id == manifestation_id)
        .where(or_(AttachmentRow.message_id.is_(None), MessageRow.direction == "inbound"))
        .order_by(AttachmentRow.id)
    )
    rows = (await session.execute(query)).all()
    return [SentFile(filename=n, size=s, received=state == "stored") for n, s, state in rows]
