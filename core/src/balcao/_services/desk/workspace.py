"""The staff workspace: assignment, presence (away or back) and merging duplicates."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._access import Access, require
from balcao._db.models import (
    ManifestationRow,
    MessageRow,
    UserRow,
)
from balcao._domain.lifecycle import State, check_transition
from balcao._errors import NotFound
from balcao._services import audit
from balcao._services.desk.lifecycle import LifecycleDesk
from balcao._services.manifestations import (
    InvalidManifestation,
    to_view,
)
from balcao._types import (
    Actor,
    Manifestation,
)

__all__ = ["WorkspaceDesk"]


class WorkspaceDesk(LifecycleDesk):
    """Who works on what; duplicates merged."""

    async def set_away(self, user_id: int, away: bool, actor: Actor) -> None:
        """Mark a staff member away (round-robin routing skips them) or back."""
        async with self.database.write() as session:
            user = await session.get(UserRow, user_id)
            if user is None:
                raise NotFound("usuário não encontrado")
            user.away = away
            audit.record(
                session, self.now(), actor, "away" if away else "back", None, user=user.email
            )

    async def is_away(self, user_id: int) -> bool:
        async with self.database.read() as session:
            user = await session.get(UserRow, user_id)
            return bool(user and user.away)

    async def assign(self, protocol: str, user_id: int | None, actor: Actor) -> Manifestation:
        """Give the manifestation to a staff member (``None``: nobody)."""
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            if user_id is not None:
                user = await session.get(UserRow, user_id)
                if user is None or not user.active or user.role not in ("ouvidor", "atendente"):
                    raise InvalidManifestation("assignee", "escolha um membro ativo da ouvidoria")
            row.assignee_id, row.updated_at = user_id, self.now()
            audit.record(session, self.now(), actor, "assign", row.protocol, user_id=user_id)
            return to_view(row)

    async def merge(self, protocol: str, into: str, actor: Actor) -> Manifestation:
        """Merge a duplicate into another manifestation: its citizen messages are copied
        there, it is archived with a note pointing to the other one."""
        async with self.database.write() as session:
            source = await self._load(session, protocol, for_update=True)
            target = await self._load(session, into, for_update=True)
            if source.id == target.id:
                raise InvalidManifestation("into", "escolha outra manifestação")
            _check_merge(actor, to_view(source), to_view(target))
            check_transition(State(source.state), State.ARCHIVED)
            await self._copy_messages(session, source, target)
            reason = f"duplicada: mesclada em {target.protocol}"
            events = await self._move(session, source, State.ARCHIVED, actor, reason)
            source.extra = {**(source.extra or {}), "merged_into": target.protocol}
            audit.record(session, self.now(), actor, "merge", source.protocol, into=target.protocol)
            audit.record(
                session, self.now(), actor, "merged_from", target.protocol, source=protocol
            )
            view = to_view(target)
            await self._emit(session, events)
        return view

    async def _copy_messages(
        self, session: AsyncSession, source: ManifestationRow, target: ManifestationRow
    ) -> None:
        """The source's citizen messages, as staff-only notes of the target: the two cases
        may come from different citizens, and one citizen's tracking must never show
        another's text."""
        query = select(MessageRow).where(
            MessageRow.manifestation_id == source.id, MessageRow.direction == "inbound"
        )
        for message in await session.scalars(query.order_by(MessageRow.id)):
            session.add(
                MessageRow(
                    manifestation_id=target.id,
                    direction="internal",
                    channel=message.channel,
                    text=message.text,
                    created_at=message.created_at,
                    extra={"merged_from": source.protocol},
                )
            )
        target.updated_at = self.now()


def _check_merge(actor: Actor, source: Manifestation, target: Manifestation) -> None:
    """Both cases must be open to ``actor`` for merging; a denúncia merges only with another."""
    require(actor, Access.MERGE, source)
    require(actor, Access.MERGE, target)
    if source.kind.whistleblowing != target.kind.whistleblowing:
        raise InvalidManifestation("into", "uma denúncia só pode ser mesclada com outra denúncia")
