"""LGPD (art. 18): everything held about a citizen, exported or anonymised."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._access import Access
from balcao._db.models import (
    AttachmentRow,
    IdentityRow,
    ManifestationRow,
    MessageRow,
)
from balcao._domain.extract import replace_name
from balcao._services import audit, identity
from balcao._services.desk.base import DeskCore
from balcao._services.erasure import erase_channel_traces
from balcao._services.manifestations import (
    InvalidManifestation,
    search_text,
)
from balcao._types import (
    Actor,
    Citizen,
)

__all__ = ["LgpdDesk"]


class LgpdDesk(DeskCore):
    """The citizen's rights over their data."""

    async def citizen_cases(self, protocol: str) -> list[str]:
        """Protocols held about the citizen of ``protocol``: same e-mail, CPF, phone or
        channel address (identities are sealed, so each is opened in memory)."""
        async with self.database.read() as session:
            row = await self._load(session, protocol)
            own = identity.unseal(self.keys, row.identity)
            marks = _identity_marks(own, row.identity)
            if not marks:
                return [row.protocol]
            query = select(IdentityRow, ManifestationRow.protocol).join(ManifestationRow)
            found = [
                number
                for item, number in (
                    await session.execute(query.where(IdentityRow.sealed.isnot(None)))
                ).all()
                if marks & _identity_marks(identity.unseal(self.keys, item), item)
            ]
        return sorted(set(found) | {row.protocol})

    async def export_citizen(self, protocol: str, actor: Actor, reason: str) -> dict[str, Any]:
        """Everything held about the citizen of ``protocol`` (LGPD art. 18), logged."""
        await self.authorize(protocol, actor, Access.LGPD)
        protocols = await self.citizen_cases(protocol)
        cases: list[dict[str, Any]] = []
        async with self.database.write() as session:
            for number in protocols:
                row = await self._load(session, number)
                cases.append(await _case_export(session, self.keys, row))
            audit.record(
                session,
                self.now(),
                actor,
                "lgpd_export",
                protocol,
                protocols=protocols,
                reason=reason.strip(),
            )
        return {"generated_at": self.now().isoformat(), "manifestations": cases}

    async def anonymise_citizen(self, protocol: str, actor: Actor, reason: str) -> list[str]:
        """Erase the citizen's identity from every case held about them (the cases stay,
        for statistics); their name is also replaced in the texts. Logged."""
        await self.authorize(protocol, actor, Access.LGPD)
        if not reason.strip():
            raise InvalidManifestation("reason", "informe o motivo da anonimização")
        protocols = await self.citizen_cases(protocol)
        case_ids: list[int] = []
        async with self.database.write() as session:
            for number in protocols:
                row = await self._load(session, number, for_update=True)
                await _erase_identity(session, self.keys, row, self.now())
                case_ids.append(row.id)
            await erase_channel_traces(session, self.seals, case_ids, protocols)
            audit.record(
                session,
                self.now(),
                actor,
                "lgpd_anonymise",
                protocol,
                protocols=protocols,
                reason=reason.strip(),
            )
        return protocols


def _identity_marks(sealed: identity.Sealed, row: IdentityRow | None) -> set[str]:
    """What identifies a citizen across cases: e-mail, CPF, phone digits, channel address."""
    citizen = sealed.citizen or Citizen()
    marks = {f"email:{citizen.email.strip().lower()}"} if citizen.email else set()
    for kind, value in (
        ("cpf", citizen.cpf),
        ("phone", citizen.phone),
        ("phone", citizen.whatsapp),
    ):
        digits = "".join(c for c in value or "" if c.isdigit())
        if len(digits) >= 8:
            marks.add(f"{kind}:{digits[-11:]}")
    if row is not None and row.channel_address_hash:
        marks.add(f"address:{row.channel_address_hash}")
    return marks


async def _case_export(session: AsyncSession, keys: Any, row: ManifestationRow) -> dict[str, Any]:
    sealed = identity.unseal(keys, row.identity)
    query = select(MessageRow).where(MessageRow.manifestation_id == row.id)
    messages = (await session.scalars(query.order_by(MessageRow.id))).all()
    files = (
        await session.scalars(select(AttachmentRow).where(AttachmentRow.manifestation_id == row.id))
    ).all()
    return {
        "protocol": row.protocol,
        "kind": row.kind,
        "channel": row.channel,
        "state": row.state,
        "created_at": row.created_at.isoformat(),
        "subject": row.subject,
        "description": row.description,
        "citizen": msgspec.to_builtins(sealed.citizen) if sealed.citizen else None,
        "channel_address": sealed.channel_address,
        "messages": [
            {
                "at": m.created_at.isoformat(),
                "direction": m.direction,
                "channel": m.channel,
                "text": m.text,
            }
            for m in messages
            if m.direction != "internal"
        ],
        "attachments": [{"filename": f.filename, "media_type": f.media_type} for f in files],
    }


async def _erase_identity(
    session: AsyncSession, keys: Any, row: ManifestationRow, now: dt.datetime
) -> None:
    sealed = identity.unseal(keys, row.identity)
    name = sealed.citizen.name if sealed.citizen else None
    if row.identity is not None:
        row.identity.sealed, row.identity.channel_address_hash = None, None
        row.identity.erased_at = now
    if not name:
        return
    alias = row.identity.pseudonym if row.identity else "Manifestante"
    row.description = _replace_name(row.description, name, alias)
    row.subject = _replace_name(row.subject, name, alias)
    row.search_text = search_text(row.protocol, row.subject, row.description)
    query = select(MessageRow).where(MessageRow.manifestation_id == row.id)
    for message in await session.scalars(query):
        message.text = _replace_name(message.text, name, alias)


def _replace_name(text: str, name: str, alias: str) -> str:
    return replace_name(text, name, alias)  # the same name matcher as the extract
