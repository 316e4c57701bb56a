"""Messages on a case: the citizen's, staff notes and replies, complementação, unit answers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import (
    ManifestationRow,
    MessageRow,
)
from balcao._domain.lifecycle import State, check_transition
from balcao._events import (
    EventBase,
    MessageReceived,
    Replied,
)
from balcao._services import audit
from balcao._services.desk.attachments import AttachmentDesk
from balcao._services.desk.lifecycle import LifecycleDesk
from balcao._services.desk.outbox import OutboxDesk
from balcao._services.manifestations import (
    InvalidManifestation,
)
from balcao._services.upsert import insert_ignore
from balcao._types import (
    Actor,
    IncomingFile,
)

__all__ = ["MessagingDesk"]


class MessagingDesk(LifecycleDesk, AttachmentDesk, OutboxDesk):
    """The timeline of a case."""

    async def add_message(
        self,
        protocol: str,
        text: str,
        *,
        channel: str,
        external_id: str | None = None,
        files: Sequence[IncomingFile] = (),
    ) -> int | None:
        """Record an inbound message; None when ``external_id`` was already recorded."""
        stored = [self._store_file(f) for f in files]
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            message_id = await insert_ignore(
                session,
                MessageRow,
                {
                    "manifestation_id": row.id,
                    "direction": "inbound",
                    "channel": channel,
                    "text": text,
                    "external_id": external_id,
                    "created_at": self.now(),
                    "extra": {},
                },
                returning=MessageRow.id,
            )
            if message_id is None:
                return None
            await self._attach(session, row.id, message_id, stored)
            row.updated_at = self.now()
            received = MessageReceived(
                protocol=row.protocol,
                occurred_at=self.now(),
                channel=channel,
                message_id=message_id,
            )
            await self._emit(session, [received, *await self._citizen_answered(session, row)])
        return int(message_id)

    async def _citizen_answered(
        self, session: AsyncSession, row: ManifestationRow
    ) -> list[EventBase]:
        if row.state != State.AWAITING_CITIZEN:
            return []
        return await self._move(
            session,
            row,
            State.TRIAGE,
            Actor(kind="citizen", name="cidadão"),
            "complementação recebida",
        )

    async def note(self, protocol: str, text: str, actor: Actor) -> int:
        """An internal note: never shown to the citizen."""
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            message = self._internal(row, text, actor)
            session.add(message)
            await session.flush()
            audit.record(session, self.now(), actor, "note", row.protocol)
            return message.id

    async def reply(self, protocol: str, text: str, actor: Actor) -> int:
        """A reply to the citizen, delivered through the channel it came from via the outbox."""
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            message = await self._outbound(session, row, text, actor)
            audit.record(session, self.now(), actor, "reply", row.protocol)
            await self._emit(session, [self._replied(row, message, actor, "reply")])
        return message.id

    def _replied(
        self, row: ManifestationRow, message: MessageRow, actor: Actor, kind: str
    ) -> Replied:
        return Replied(
            protocol=row.protocol,
            occurred_at=self.now(),
            channel=row.channel,
            message_id=message.id,
            actor=actor.label,
            kind=kind,
            text=message.text,
        )

    async def request_complementation(self, protocol: str, text: str, actor: Actor) -> int:
        """Ask the citizen for more information: the request goes out through the channel and
        the case waits for the citizen (the response clock pauses the first time)."""
        if not text.strip():
            raise InvalidManifestation("text", "escreva o que falta na manifestação")
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            check_transition(State(row.state), State.AWAITING_CITIZEN)
            message = await self._outbound(session, row, text, actor)
            events = await self._move(
                session, row, State.AWAITING_CITIZEN, actor, "pedido de complementação"
            )
            audit.record(session, self.now(), actor, "request_complementation", row.protocol)
            await self._emit(
                session, [self._replied(row, message, actor, "complementation"), *events]
            )
        return message.id

    async def unit_answer(self, protocol: str, text: str, actor: Actor) -> int:
        """A unit's answer: goes back to the ouvidoria (never straight to the citizen)."""
        if not text.strip():
            raise InvalidManifestation("text", "escreva a resposta da unidade")
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            message = self._internal(row, text, actor, unit_answer=row.unit_code)
            session.add(message)
            await session.flush()
            events = await self._move(
                session, row, State.UNIT_ANSWERED, actor, f"resposta da unidade {row.unit_code}"
            )
            await self._emit(session, events)
        return message.id
