"""Mode "api": register through Me-OUV, idempotently, retrying 5xx and timeouts later."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.exc import IntegrityError

from balcao import Citizen, Manifestation, PluginDesk
from balcao_falabr_export._client import (
    Created,
    FalabrRejected,
    FalabrUnavailable,
    MeOuvClient,
    Summary,
)
from balcao_falabr_export._config import FalabrConfig
from balcao_falabr_export._handover import plugin_actor, record_registered
from balcao_falabr_export._models import storage
from balcao_falabr_export._nup import InvalidNup, parse_nup
from balcao_falabr_export._payload import build_payload, consented
from balcao_falabr_export._store import Busy, Claim, due_for_retry, load, new_row

__all__ = ["AlreadyRegistered", "NotConfigured", "register_via_api", "retry_due"]

log = logging.getLogger("balcao.falabr_export")
_LOOK_BACK = dt.timedelta(days=1)


class NotConfigured(Exception):
    """The WebService credentials are missing."""


class AlreadyRegistered(Exception):
    """The manifestation already has a NUP: nothing is sent again."""


def _backoff(attempt: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(60 * 2 ** max(attempt - 1, 0), 6 * 3600))


async def _claim(desk: PluginDesk, protocol: str, actor: str, config: FalabrConfig) -> Claim:
    """Record the attempt before anything leaves (so a crash or timeout is seen later)."""
    now = desk.now()
    lease = dt.timedelta(seconds=config.timeout_seconds * 4 + 60)
    try:
        async with storage(desk).write() as session:
            row = await load(session, protocol, for_update=True)
            if row is None:
                row = new_row(protocol, "api", "sending", actor, now)
                session.add(row)
            elif row.state == "registered":
                raise AlreadyRegistered(protocol)
            elif row.state == "sending" and row.lease_until and row.lease_until > now:
                raise Busy(protocol)
            look_first = row.attempts > 0
            row.mode, row.state, row.attempts = "api", "sending", row.attempts + 1
            row.lease_until, row.next_attempt_at, row.updated_at = now + lease, None, now
            row.first_attempt_at = row.first_attempt_at or now
            row.requested_by = actor
            return Claim(
                protocol=protocol,
                attempt=row.attempts,
                look_first=look_first,
                first_attempt_at=row.first_attempt_at,
            )
    except IntegrityError as exc:  # a concurrent first attempt inserted the row
        raise Busy(protocol) from exc


async def _identity(desk: PluginDesk, manifestation: Manifestation) -> Citizen | None:
    """The identity, read (and audited) only when the citizen consented to pass it on."""
    if not consented(manifestation):
        return None
    return await desk.reveal_identity(
        manifestation.protocol,
        plugin_actor(),
        "registro no Fala.BR com consentimento do manifestante",
        action="identity_export",
    )


async def _files(desk: PluginDesk, protocol: str) -> list[tuple[str, bytes]]:
    stored = [a for a in await desk.attachments(protocol) if a.state == "stored"]
    return [(a.filename, desk.read_attachment(a)) for a in stored]


async def _found_earlier(client: MeOuvClient, desk: PluginDesk, claim: Claim) -> Summary | None:
    start = desk.calendar.local(claim.first_attempt_at).date() - _LOOK_BACK
    return await client.by_reference(claim.protocol, start, desk.today() + _LOOK_BACK)


async def _send(
    desk: PluginDesk, config: FalabrConfig, manifestation: Manifestation, claim: Claim
) -> Created:
    async with MeOuvClient(config) as client:
        if claim.look_first:
            found = await _found_earlier(client, desk, claim)
            if found is not None and found.nup:
                log.info("%s was already on Fala.BR; not sending again", claim.protocol)
                return Created(falabr_id=found.falabr_id, nup=found.nup, access_code=None)
        payload = build_payload(
            manifestation,
            config,
            await _identity(desk, manifestation),
            await _files(desk, manifestation.protocol),
        )
        return await client.create(payload)


async def _attempt(desk: PluginDesk, config: FalabrConfig, claim: Claim) -> None:
    manifestation = await desk.get(claim.protocol)
    try:
        created = await _send(desk, config, manifestation, claim)
        nup = parse_nup(created.nup)
    except FalabrRejected as exc:
        await _finish(desk, claim.protocol, "rejected", str(exc))
    except InvalidNup as exc:
        await _finish(desk, claim.protocol, "rejected", f"Fala.BR devolveu um NUP inválido: {exc}")
    except FalabrUnavailable as exc:
        await _later(desk, config, claim, str(exc))
    else:
        await record_registered(
            desk,
            config,
            claim.protocol,
            nup=nup,
            mode="api",
            falabr_id=created.falabr_id,
            access_code=created.access_code,
        )


async def _finish(desk: PluginDesk, protocol: str, state: str, error: str) -> None:
    async with storage(desk).write() as session:
        row = await load(session, protocol, for_update=True)
        assert row is not None
        row.state, row.last_error, row.lease_until = state, error, None
        row.next_attempt_at, row.updated_at = None, desk.now()


async def _later(desk: PluginDesk, config: FalabrConfig, claim: Claim, error: str) -> None:
    if claim.attempt >= config.retry_max_attempts:
        log.error("Fala.BR registration of %s failed %s times", claim.protocol, claim.attempt)
        await _finish(desk, claim.protocol, "failed", error)
        return
    async with storage(desk).write() as session:
        row = await load(session, claim.protocol, for_update=True)
        assert row is not None
        row.state, row.last_error, row.lease_until = "retry", error, None
        row.next_attempt_at, row.updated_at = desk.now() + _backoff(claim.attempt), desk.now()


def _require(config: FalabrConfig) -> None:
    missing = [
        name
        for name in ("client_id", "client_secret", "username", "password")
        if not getattr(config, name)
    ]
    if missing:
        raise NotConfigured(
            "configure [plugins.falabr_export] " + ", ".join(missing) + " (credenciais do "
            "WebService fornecidas pelo suporte do Fala.BR) ou use o modo 'staff'"
        )


async def register_via_api(
    desk: PluginDesk, config: FalabrConfig, protocol: str, actor: str
) -> None:
    """Record the attempt, then send; failures end in ``rejected`` or a scheduled retry."""
    _require(config)
    await desk.get(protocol)  # NotFound before anything is recorded
    claim = await _claim(desk, protocol, actor, config)
    await _attempt(desk, config, claim)


async def retry_due(desk: PluginDesk, config: FalabrConfig) -> int:
    """The job: attempts whose retry time came (or whose sender vanished)."""
    if not config.api_ready:
        return 0
    done = 0
    for protocol in await due_for_retry(desk):
        try:
            claim = await _claim(desk, protocol, plugin_actor().label, config)
        except (Busy, AlreadyRegistered):
            continue
        await _attempt(desk, config, claim)
        done += 1
    return done
