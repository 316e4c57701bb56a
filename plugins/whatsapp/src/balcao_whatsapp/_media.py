"""Inbound media: fetch the URL, download with the token, check size and sha256, attach;
on failure keep the message and retry later (the media id lives 7 days)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import mimetypes

from sqlalchemy import select

from balcao import Actor, AttachmentRejected, IncomingFile, PluginDesk
from balcao_whatsapp._config import WhatsAppConfig
from balcao_whatsapp._graph import GraphClient, GraphError, GraphUnavailable, MediaTooLarge
from balcao_whatsapp._incoming import MediaRef
from balcao_whatsapp._models import MediaRow
from balcao_whatsapp._store import storage

__all__ = ["MediaFailed", "MediaService"]

log = logging.getLogger("balcao.whatsapp")
CHANNEL = "whatsapp"
_MEDIA_LIFETIME = dt.timedelta(days=7)
_MAX_DELAY = dt.timedelta(hours=6)


class MediaFailed(Exception):
    """A download that did not work; ``permanent`` ones are not retried."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class MediaService:
    def __init__(self, config: WhatsAppConfig, graph: GraphClient) -> None:
        self.config = config
        self.graph = graph

    async def fetch(self, ref: MediaRef) -> IncomingFile:
        """The file, checked; raises :class:`MediaFailed`."""
        if not ref.media_id:
            raise MediaFailed("mensagem sem id de mídia", permanent=True)
        try:
            info = await self.graph.media_info(ref.media_id)
            self._check_size(_int(info.file_size) or ref.file_size)
            content = await self.graph.download(info.url or ref.url or "")
        except MediaTooLarge as exc:
            raise MediaFailed(str(exc), permanent=True) from exc
        except (GraphError, GraphUnavailable) as exc:
            raise MediaFailed(f"download falhou: {exc}") from exc
        _check_digest(content, ref.sha256 or info.sha256)
        return IncomingFile(
            filename=_filename(ref, info.mime_type),
            content=content,
            declared_type=info.mime_type or ref.mime_type,
        )

    def _check_size(self, size: int | None) -> None:
        if size is not None and size > self.config.max_media_mb * 1024 * 1024:
            raise MediaTooLarge(f"arquivo maior que {self.config.max_media_mb} MB")

    async def attach(
        self, desk: PluginDesk, protocol: str, ref: MediaRef, text: str, external_id: str
    ) -> None:
        """Record the message with its file; without it (pending) when the download fails."""
        try:
            file = await self.fetch(ref)
        except MediaFailed as exc:
            await self._without_file(desk, protocol, ref, text, external_id, exc)
            return
        try:
            await desk.add_message(
                protocol, text, channel=CHANNEL, external_id=external_id, files=[file]
            )
        except AttachmentRejected as exc:
            note = f"{text}\n(anexo recusado: {exc.reason})"
            await desk.add_message(protocol, note, channel=CHANNEL, external_id=external_id)

    async def _without_file(
        self,
        desk: PluginDesk,
        protocol: str,
        ref: MediaRef,
        text: str,
        external_id: str,
        error: MediaFailed,
    ) -> None:
        log.warning("media %s of %s not downloaded: %s", ref.media_id, protocol, error)
        if error.permanent:
            note = f"{text}\n(anexo não recebido: {error})"
            await desk.add_message(protocol, note, channel=CHANNEL, external_id=external_id)
            return
        note = f"{text}\n(anexo pendente: nova tentativa de download em breve)"
        await desk.add_message(protocol, note, channel=CHANNEL, external_id=external_id)
        await self._park(desk, protocol, ref, external_id, str(error))

    async def _park(
        self, desk: PluginDesk, protocol: str, ref: MediaRef, external_id: str, error: str
    ) -> None:
        now = desk.now()
        async with (store := storage(desk)).write() as session:
            await store.insert_ignore(
                session,
                MediaRow.__table__,
                {
                    "wamid": external_id,
                    "protocol": protocol,
                    "media_id": ref.media_id,
                    "media_type": ref.media_type,
                    "mime_type": ref.mime_type,
                    "sha256": ref.sha256,
                    "filename": ref.filename,
                    "state": "pending",
                    "attempts": 1,
                    "next_attempt_at": now + dt.timedelta(minutes=1),
                    "expires_at": now + _MEDIA_LIFETIME,
                    "last_error": error,
                    "created_at": now,
                },
            )

    async def retry_pending(self, desk: PluginDesk) -> int:
        """The periodic job: try every due pending download once."""
        now = desk.now()
        async with storage(desk).read() as session:
            query = (
                select(MediaRow)
                .where(MediaRow.state == "pending", MediaRow.next_attempt_at <= now)
                .order_by(MediaRow.id)
                .limit(50)
            )
            rows = list((await session.scalars(query)).all())
        for row in rows:
            await self._retry(desk, row)
        return len(rows)

    async def _retry(self, desk: PluginDesk, row: MediaRow) -> None:
        ref = _ref(row)
        try:
            file = await self.fetch(ref)
            await desk.add_message(
                row.protocol,
                f"[{ref.label}] anexo recebido após nova tentativa",
                channel=CHANNEL,
                external_id=f"{row.wamid}#media",
                files=[file],
            )
        except (MediaFailed, AttachmentRejected) as exc:
            await self._retry_failed(desk, row, exc)
            return
        await self._set(desk, row.id, state="stored", last_error=None)

    async def _retry_failed(self, desk: PluginDesk, row: MediaRow, exc: Exception) -> None:
        now, attempts = desk.now(), row.attempts + 1
        permanent = isinstance(exc, AttachmentRejected) or getattr(exc, "permanent", False)
        if permanent or now >= row.expires_at:
            await self._set(desk, row.id, state="failed", last_error=str(exc), attempts=attempts)
            text = f"Não foi possível baixar um anexo enviado pelo WhatsApp: {exc}"
            await desk.note(row.protocol, text, Actor.plugin(CHANNEL))
            return
        delay = min(dt.timedelta(minutes=2**attempts), _MAX_DELAY)
        await self._set(
            desk, row.id, last_error=str(exc), attempts=attempts, next_attempt_at=now + delay
        )

    async def _set(self, desk: PluginDesk, row_id: int, **values: object) -> None:
        async with storage(desk).write() as session:
            row = await session.get(MediaRow, row_id)
            if row is not None:
                for name, value in values.items():
                    setattr(row, name, value)


def _ref(row: MediaRow) -> MediaRef:
    from balcao_whatsapp._texts import media_label

    return MediaRef(
        media_type=row.media_type,
        media_id=row.media_id,
        mime_type=row.mime_type,
        sha256=row.sha256,
        filename=row.filename,
        url=None,
        file_size=None,
        label=media_label(row.media_type),
    )


def _check_digest(content: bytes, expected: str | None) -> None:
    """Meta sends base64 in webhooks; accept hex too."""
    if not expected:
        return
    digest = hashlib.sha256(content).digest()
    if expected.strip() not in (base64.b64encode(digest).decode(), digest.hex()):
        raise MediaFailed("sha256 do arquivo não confere com o informado pelo WhatsApp")


def _filename(ref: MediaRef, mime_type: str | None) -> str:
    if ref.filename:
        return ref.filename
    mime = (mime_type or ref.mime_type or "").split(";")[0].strip()
    extension = mimetypes.guess_extension(mime) or ""
    return f"whatsapp-{ref.media_type}{extension}"


def _int(value: int | str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
