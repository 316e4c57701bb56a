"""The identity vault: the citizen's identity revealed (audited) or masked, the reply
address, resealing."""

from __future__ import annotations

from balcao._access import Access
from balcao._domain.extract import replace_name
from balcao._services import audit, identity
from balcao._services.desk.base import DeskCore
from balcao._services.manifestations import (
    load,
)
from balcao._services.reseal import ResealReport, reseal_all
from balcao._types import (
    Actor,
    Citizen,
)

__all__ = ["VaultDesk"]


class VaultDesk(DeskCore):
    """Sealed identities and the audited ways to use them."""

    async def reveal_identity(
        self, protocol: str, actor: Actor, reason: str, action: str = "identity_view"
    ) -> Citizen | None:
        """The citizen's identity, always written to the audit log with the reason. Among
        staff only the ``ouvidor`` may see it; a plugin (e.g. an export the citizen consented
        to) asks as itself, with ``action`` naming what it does with it."""
        if actor.kind != "plugin":
            await self.authorize(protocol, actor, Access.REVEAL_IDENTITY)
        if not reason.strip():
            raise ValueError("informe o motivo para ver a identidade")
        async with self.database.write() as session:
            row = await self._load(session, protocol)
            audit.record(session, self.now(), actor, action, row.protocol, reason=reason.strip())
            return identity.unseal(self.keys, row.identity).citizen

    async def mask_identity(self, protocol: str, text: str) -> str:
        """``text`` with the citizen's name (or a part of it) replaced by the case's
        pseudonym: for what a plugin stores from elsewhere (a meeting's participant list). The
        identity never reaches the caller, so nothing is revealed nor audited."""
        async with self.database.read() as session:
            row = await self._load(session, protocol)
            sealed = identity.unseal(self.keys, row.identity)
            alias = row.identity.pseudonym if row.identity else "Manifestante"
        name = sealed.citizen.name if sealed.citizen else None
        return replace_name(text, name, alias) if name else text

    async def record_falabr_nup(self, protocol: str, nup: str, actor: Actor) -> None:
        """Record the NUP Fala.BR assigned (shown as ``Manifestation.falabr_nup``); audited."""
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            row.falabr_nup, row.falabr_registered_at = nup, self.now()
            row.updated_at = self.now()
            audit.record(session, self.now(), actor, "falabr_nup", row.protocol, nup=nup)

    async def reseal(self) -> ResealReport:
        """Re-encrypt every registered sealed column (core and plugins) under the current
        key and re-key every lookup hash; what is already current is left alone."""
        async with self.database.write() as session:
            return await reseal_all(session, self.seals)

    async def recipient(self, protocol: str) -> str | None:
        """The channel address a reply goes to (decrypted only for delivery)."""
        async with self.database.read() as session:
            row = await load(session, protocol)
            return None if row is None else identity.unseal(self.keys, row.identity).channel_address
