"""The periodic job asking Fala.BR for the situação and deadline of registered manifestations."""

from __future__ import annotations

import datetime as dt
import logging

from balcao import PluginDesk
from balcao_falabr_export._client import FalabrError, MeOuvClient, Summary
from balcao_falabr_export._config import FalabrConfig
from balcao_falabr_export._handover import plugin_actor
from balcao_falabr_export._models import storage
from balcao_falabr_export._store import due_for_poll, load

__all__ = ["FINAL_SITUATIONS", "poll_due"]

log = logging.getLogger("balcao.falabr_export")
FINAL_SITUATIONS = frozenset({"Concluída", "Arquivada"})
_MAX_BACKOFF = dt.timedelta(days=2)


async def _store(desk: PluginDesk, config: FalabrConfig, protocol: str, found: Summary) -> bool:
    """Keep the answer; True when the situação or the deadline changed."""
    now = desk.now()
    async with storage(desk).write() as session:
        row = await load(session, protocol, for_update=True)
        assert row is not None
        changed = (row.situation, row.deadline) != (found.situation, found.deadline)
        row.situation, row.deadline = found.situation, found.deadline
        row.polled_at, row.poll_failures, row.last_error = now, 0, None
        every = dt.timedelta(minutes=config.poll_every_minutes)
        row.next_poll_at = None if found.situation in FINAL_SITUATIONS else now + every
        return changed


async def _failed(desk: PluginDesk, config: FalabrConfig, protocol: str, error: str) -> None:
    now = desk.now()
    async with storage(desk).write() as session:
        row = await load(session, protocol, for_update=True)
        assert row is not None
        row.poll_failures += 1
        every = dt.timedelta(minutes=config.poll_every_minutes)
        row.next_poll_at = now + min(every * 2**row.poll_failures, max(_MAX_BACKOFF, every))
        row.last_error = f"consulta de situação: {error}"


def _note(found: Summary) -> str:
    text = f'Fala.BR: situação "{found.situation or "não informada"}"'
    if found.deadline is not None:
        text += f", prazo {found.deadline:%d/%m/%Y}"
    return text + "."


async def _poll_one(
    client: MeOuvClient, desk: PluginDesk, config: FalabrConfig, protocol: str, nup: str
) -> None:
    try:
        found = await client.by_protocol(nup)
    except FalabrError as exc:
        log.warning("status of %s on Fala.BR not read: %s", protocol, exc)
        await _failed(desk, config, protocol, str(exc))
        return
    if found is None:
        await _failed(desk, config, protocol, "NUP não encontrado no Fala.BR")
        return
    if await _store(desk, config, protocol, found):
        await desk.note(protocol, _note(found), plugin_actor())


async def poll_due(desk: PluginDesk, config: FalabrConfig) -> int:
    """Ask about each due NUP; one failure backs off that NUP only."""
    if not config.api_ready:
        return 0
    due = await due_for_poll(desk)
    if due:
        async with MeOuvClient(config) as client:
            for protocol, nup in due:
                await _poll_one(client, desk, config, protocol, nup)
    return len(due)
