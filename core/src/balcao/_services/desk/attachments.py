"""Files attached to manifestations: checked, stored by content, read back."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import (
    AttachmentRow,
)
from balcao._errors import NotFound
from balcao._services.attachments import (
    AttachmentRejected,
    safe_filename,
    sniff,
)
from balcao._services.desk.base import DeskCore
from balcao._types import (
    Attachment,
    IncomingFile,
)

__all__ = ["AttachmentDesk"]


class AttachmentDesk(DeskCore):
    """Attachments: stored on intake and with messages, listed and read back."""

    def _store_file(self, incoming: IncomingFile) -> AttachmentRow:
        name = safe_filename(incoming.filename)
        limit = self.settings.max_attachment_mb * 1024 * 1024
        if len(incoming.content) > limit:
            raise AttachmentRejected(name, f"maior que {self.settings.max_attachment_mb} MB")
        media_type = sniff(incoming.content)
        if media_type is None or media_type not in self.settings.allowed_attachment_types:
            raise AttachmentRejected(name, "tipo de arquivo não aceito")
        digest = self.files.put(incoming.content)
        return AttachmentRow(
            filename=name,
            media_type=media_type,
            size=len(incoming.content),
            sha256=digest,
            state="stored",
            created_at=self.now(),
            source={},
        )

    async def _attach(
        self,
        session: AsyncSession,
        manifestation_id: int,
        message_id: int | None,
        stored: Sequence[AttachmentRow],
    ) -> None:
        for item in stored:
            item.manifestation_id, item.message_id = manifestation_id, message_id
            session.add(item)

    async def attachments(self, protocol: str) -> list[Attachment]:
        """The files attached to a manifestation, oldest first."""
        async with self.database.read() as session:
            row = await self._load(session, protocol)
            rows = await session.scalars(
                select(AttachmentRow)
                .where(AttachmentRow.manifestation_id == row.id)
                .order_by(AttachmentRow.id)
            )
            return [_attachment_view(a) for a in rows]

    def read_attachment(self, attachment: Attachment) -> bytes:
        """The bytes of a stored attachment (checked against its sha256)."""
        if attachment.sha256 is None or attachment.state != "stored":
            raise NotFound(f"o anexo {attachment.filename} ainda não foi recebido")
        content = self.files.read(attachment.sha256)
        if hashlib.sha256(content).hexdigest() != attachment.sha256:
            raise NotFound(f"o anexo {attachment.filename} está corrompido no armazenamento")
        return content


def _attachment_view(row: AttachmentRow) -> Attachment:
    return Attachment(
        id=row.id,
        filename=row.filename,
        media_type=row.media_type,
        size=row.size,
        sha256=row.sha256,
        state=row.state,
        created_at=row.created_at,
        message_id=row.message_id,
    )
