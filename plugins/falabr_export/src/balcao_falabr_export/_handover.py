"""Finishing a handover: the NUP stored (access code encrypted), the manifestation told."""

from __future__ import annotations

import datetime as dt

from balcao import Actor, PluginDesk
from balcao_falabr_export._config import FalabrConfig
from balcao_falabr_export._models import ACCESS_CODE, storage
from balcao_falabr_export._nup import format_nup
from balcao_falabr_export._store import load, new_row

__all__ = ["PLUGIN", "plugin_actor", "record_registered"]

PLUGIN = "falabr_export"


def plugin_actor() -> Actor:
    return Actor.plugin(PLUGIN)


async def record_registered(
    desk: PluginDesk,
    config: FalabrConfig,
    protocol: str,
    *,
    nup: str,
    mode: str,
    falabr_id: int | None = None,
    access_code: str | None = None,
    actor: Actor | None = None,
) -> None:
    """Store the NUP on our record and on the manifestation, and leave a note."""
    now = desk.now()
    actor = actor or plugin_actor()
    async with storage(desk).write() as session:
        row = await load(session, protocol, for_update=True)
        if row is None:
            row = new_row(protocol, mode, "registered", actor.label, now)
            session.add(row)
        row.state, row.nup, row.lease_until, row.next_attempt_at = "registered", nup, None, None
        row.falabr_id = falabr_id if falabr_id is not None else row.falabr_id
        if access_code:
            row.access_code_sealed = desk.sealer(ACCESS_CODE.purpose).seal(access_code, protocol)
        row.last_error, row.updated_at = None, now
        row.next_poll_at = now + dt.timedelta(minutes=config.poll_every_minutes)
    await desk.record_falabr_nup(protocol, nup, actor)
    await desk.note(
        protocol, f"Registrada no Fala.BR: NUP {format_nup(nup)} ({_HOW[mode]}).", actor
    )


_HOW = {
    "api": "enviada pela API",
    "staff": "registrada pela equipe",
    "citizen": "registrada pelo cidadão",
}
