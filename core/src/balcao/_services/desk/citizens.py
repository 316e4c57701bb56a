"""What citizens and channels look up: access codes, their cases by address, rate limits,
raw inbound events."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from balcao._db.models import (
    IdentityRow,
    ManifestationRow,
)
from balcao._domain.codes import (
    normalize_access_code,
)
from balcao._domain.lifecycle import State
from balcao._domain.text import inbound_key
from balcao._services import identity, rate_limits
from balcao._services.desk.base import DeskCore
from balcao._services.desk.errors import (
    RateLimited,
)
from balcao._services.inbound_store import INBOUND_WRITE
from balcao._services.manifestations import (
    load,
    to_view,
)
from balcao._services.reseal import sealed_value
from balcao._services.sealed import INBOUND
from balcao._types import (
    Manifestation,
)

__all__ = ["CitizenDesk"]


class CitizenDesk(DeskCore):
    """Lookups by access code or channel address, and the counters that limit them."""

    async def verify_access(self, protocol: str, access_code: str) -> Manifestation | None:
        """The manifestation when the code matches, else None (same answer for an unknown
        protocol, so nothing leaks)."""
        async with self.database.read() as session:
            row = await load(session, protocol)
        given = normalize_access_code(access_code)
        if row is None or row.access_code_hash is None:
            self.keys.matches(given, "0" * 64)  # the same work either way
            return None
        return to_view(row) if self.keys.matches(given, row.access_code_hash) else None

    async def track(self, protocol: str, access_code: str, client: str) -> Manifestation | None:
        """Citizen tracking by protocol and access code, rate-limited per ``client`` (an
        address, a channel's sender) with the same hourly limit for every channel; raises
        :class:`RateLimited` once exceeded."""
        if not await self.allow_access_attempt(client):
            raise RateLimited(f"access-code:{client}")
        return await self.verify_access(protocol, access_code)

    async def find_open_by_address(self, channel: str, address: str) -> Manifestation | None:
        """The newest open manifestation that came from ``address`` on ``channel``."""
        digests = identity.address_digests(self.keys, channel, address)
        found = await self._open_by_digests(channel, digests)
        if found is not None and found[1] != digests[0]:
            await self._rekey_address(found[0], digests[0])
        return None if found is None else found[0]

    async def _rekey_address(self, case: Manifestation, digest: str) -> None:
        """A hit under a previous key: the hash moves to the current one."""
        async with self.database.write() as session:
            row = await self._load(session, case.protocol)
            if row.identity is not None:
                row.identity.channel_address_hash = digest

    async def _open_by_digests(
        self, channel: str, digests: list[str]
    ) -> tuple[Manifestation, str] | None:
        query = (
            select(ManifestationRow.protocol, IdentityRow.channel_address_hash)
            .join(IdentityRow)
            .where(
                IdentityRow.channel_address_hash.in_(digests),
                ManifestationRow.channel == channel,
                ManifestationRow.state.notin_([State.CLOSED, State.ARCHIVED]),
            )
            .order_by(ManifestationRow.id.desc())
            .limit(1)
        )
        async with self.database.read() as session:
            found = (await session.execute(query)).one_or_none()
            if found is None:
                return None
            return to_view(await self._load(session, found[0])), found[1] or ""

    async def cases_by_address(
        self, channel: str, address: str, limit: int = 10
    ) -> list[Manifestation]:
        """The manifestations that came from ``address`` on ``channel``, newest first
        (anonymous ones keep no address, so they are never among them)."""
        digests = identity.address_digests(self.keys, channel, address)
        query = (
            select(ManifestationRow.protocol)
            .join(IdentityRow)
            .where(
                IdentityRow.channel_address_hash.in_(digests), ManifestationRow.channel == channel
            )
            .order_by(ManifestationRow.id.desc())
            .limit(limit)
        )
        async with self.database.read() as session:
            protocols = list((await session.scalars(query)).all())
            return [to_view(await self._load(session, p)) for p in protocols]

    async def persist_inbound(
        self, channel: str, external_id: str, body: bytes, ordering_key: str | None = None
    ) -> bool:
        """Store a raw inbound event before acknowledging it; False for a duplicate.
        The worker then hands it to the channel's ``inbound`` processor. Events with the
        same ``ordering_key`` (say, one conversation) are processed one at a time, in the
        order they were stored, by whichever worker."""
        external_id, now = inbound_key(external_id), self.now()
        values = {
            "channel": channel,
            "external_id": external_id,
            "ordering_key": ordering_key,
            "body": sealed_value(self.seals, INBOUND, body, (channel, external_id)),
            "received_at": now,
            "state": "pending",
            "attempts": 0,
            "next_attempt_at": now,
        }

        # concurrent webhooks share one commit (one fsync on SQLite), on a plain connection:
        # see _db/group.py and _db/direct.py
        return await self.database.grouped_plain(INBOUND_WRITE, values)

    async def allow(self, key: str, limit: int, window: dt.timedelta) -> bool:
        """A fixed-window rate limit shared by every app instance: False once exceeded."""
        async with self.database.write() as session:
            return await rate_limits.hit(await session.connection(), self.now(), key, limit, window)

    async def allow_access_attempt(self, client: str) -> bool:
        """One hourly budget of access-code checks per client address, shared by every
        route that checks a code (tracking, a channel's own pages): a second route must
        not give a second set of guesses."""
        limit = self.settings.tracking_rate_limit_per_hour
        return await self.allow(f"access-code:{client}", limit, dt.timedelta(hours=1))
