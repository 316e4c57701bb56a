"""Attachments, downloaded by staff: always as a download, never rendered by the browser."""

from __future__ import annotations

import urllib.parse
from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from balcao._access import Access
from balcao._db.models import AttachmentRow
from balcao._desk import Desk, NotFound
from balcao._services import audit
from balcao._staff._common import visible
from balcao._web.auth import current_actor

__all__ = ["FILE_ROUTES"]


@get(
    "/staff/manifestacoes/{protocol:str}/anexos/{file_id:int}",
    opt={"access": Access.ATTACHMENT},
    include_in_schema=False,
)
async def attachment(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    protocol: FromPath[str],
    file_id: FromPath[int],
) -> Response[bytes]:
    actor = current_actor(request)
    found = await visible(desk, actor, protocol, Access.ATTACHMENT)
    async with desk.database.write() as session:
        row = await session.get(AttachmentRow, file_id)
        if row is None or row.manifestation_id != found.id or not row.sha256:
            raise NotFound(f"anexo {file_id} não encontrado")
        audit.record(session, desk.now(), actor, "attachment_download", found.protocol, id=file_id)
    name = urllib.parse.quote(row.filename)
    return Response(
        desk.files.read(row.sha256),
        media_type="application/octet-stream",
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{name}",
            "content-security-policy": "sandbox; default-src 'none'",
            "cache-control": "no-store",
        },
    )


FILE_ROUTES = [attachment]
