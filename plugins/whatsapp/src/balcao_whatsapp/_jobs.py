"""Periodic work: pending media, parked statuses, and resuming after a token alert."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete

from balcao import JobSpec, PluginDesk
from balcao_whatsapp._adapter import PAUSE_KEY
from balcao_whatsapp._conversation import Conversation
from balcao_whatsapp._graph import GraphClient, GraphError, GraphUnavailable
from balcao_whatsapp._media import MediaService
from balcao_whatsapp._models import StateRow
from balcao_whatsapp._statuses import StatusService
from balcao_whatsapp._store import storage

__all__ = ["jobs"]

log = logging.getLogger("balcao.whatsapp")


def jobs(
    media: MediaService, statuses: StatusService, graph: GraphClient, conversation: Conversation
) -> list[JobSpec]:
    async def resume(desk: PluginDesk) -> None:
        await _resume_if_token_works(desk, graph)

    minute = dt.timedelta(minutes=1)
    return [
        JobSpec(name="whatsapp-media-retry", run=media.retry_pending, every=minute),
        JobSpec(name="whatsapp-parked-statuses", run=statuses.apply_parked, every=minute),
        JobSpec(name="whatsapp-token-check", run=resume, every=dt.timedelta(minutes=5)),
        JobSpec(name="whatsapp-paused-descriptions", run=conversation.close_paused, every=minute),
    ]


async def _resume_if_token_works(desk: PluginDesk, graph: GraphClient) -> None:
    """Deliveries paused by a refused token resume as soon as the token works again."""
    async with storage(desk).read() as session:
        if await session.get(StateRow, PAUSE_KEY) is None:
            return
    try:
        await graph.check_token()
    except (GraphError, GraphUnavailable) as exc:
        log.error("WhatsApp token still refused (%s): deliveries stay paused", exc)
        return
    async with storage(desk).write() as session:
        await session.execute(delete(StateRow).where(StateRow.key == PAUSE_KEY))
    log.warning("WhatsApp token accepted again: deliveries resumed")
