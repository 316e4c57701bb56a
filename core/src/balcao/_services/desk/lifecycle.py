"""Lifecycle and deadlines: transitions (with plugin vetoes), forwarding, routing decisions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._access import Access, require
from balcao._db.models import (
    ManifestationRow,
    UserRow,
)
from balcao._domain.deadlines import Purpose
from balcao._domain.extract import pseudonymize
from balcao._domain.kinds import Kind
from balcao._domain.lifecycle import State, check_transition
from balcao._errors import NotFound
from balcao._events import (
    Closed,
    EventBase,
    Forwarded,
)
from balcao._routing import Outcome, route, routing_columns
from balcao._routing.members import round_robin
from balcao._services import audit, deadlines, identity, survey
from balcao._services.desk.base import DeskCore
from balcao._services.desk.errors import TransitionConflict, TransitionRefused
from balcao._services.manifestations import (
    deadline_effects,
    record_transition,
    to_view,
)
from balcao._types import (
    Actor,
    DeadlineView,
    Manifestation,
    Veto,
)

__all__ = ["LifecycleDesk"]


class LifecycleDesk(DeskCore):
    """Moves a manifestation through its states and keeps its deadlines."""

    async def deadlines(self, protocol: str) -> list[DeadlineView]:
        async with self.database.read() as session:
            row = await self._load(session, protocol)
            rows = await deadlines.open_deadlines(session, row.id)
            return [deadlines.view(d, self.today()) for d in rows]

    async def transition(
        self, protocol: str, target: State | str, actor: Actor, reason: str = ""
    ) -> Manifestation:
        """Move a manifestation to ``target``: checked against the access policy and the
        table, then every plugin's veto hook; recorded with who, when and why.

        The vetoes (and a reopened case's routing) are asked before the write transaction
        opens, so a slow plugin never holds the write lock; inside it the case must still be
        as they saw it, or :class:`TransitionConflict` is raised and nothing is recorded."""
        target = State(target)
        seen = await self.get(protocol)
        require(actor, Access.TRANSITION, seen, target)
        await self._ask_plugins(seen, target, actor, reason)
        outcome = await self._reopening(seen, target)
        async with self.database.write() as session:
            row = await self._unchanged(session, seen)
            events = await self._move(session, row, target, actor, reason)
            if outcome is not None:
                events += await self._apply_decision(session, row, outcome)
            view = to_view(row)
            await self._emit(session, events)
        return view

    async def _reopening(self, current: Manifestation, target: State) -> Outcome | None:
        """A concluded or archived manifestation going back to triage is routed again
        (rules are evaluated before the write transaction opens)."""
        if target is not State.TRIAGE or current.state not in (State.CLOSED, State.ARCHIVED):
            return None
        return await route(await self.current_rules(), current)

    async def _ask_plugins(
        self, seen: Manifestation, target: State, actor: Actor, reason: str
    ) -> None:
        """The lifecycle table, then every plugin's ``balcao_validate_transition``."""
        check_transition(seen.state, target)
        answers = await self.host.ask(
            "balcao_validate_transition",
            manifestation=seen,
            source=seen.state,
            target=target,
            actor=actor,
            reason=reason,
        )
        refusals = [f"{name}: {v.reason}" for name, v in answers if isinstance(v, Veto)]
        if refusals:
            raise TransitionRefused("transição recusada por " + "; ".join(refusals))

    async def _unchanged(self, session: AsyncSession, seen: Manifestation) -> ManifestationRow:
        """The case's row, locked, when its state and unit are still those the checks saw."""
        row = await self._load(session, seen.protocol, for_update=True)
        if row.state != seen.state.value or row.unit_code != seen.unit_code:
            raise TransitionConflict(seen.protocol, seen.state.value, row.state)
        return row

    async def _move(
        self, session: AsyncSession, row: ManifestationRow, target: State, actor: Actor, reason: str
    ) -> list[EventBase]:
        source, now = State(row.state), self.now()
        check_transition(source, target)
        event = record_transition(session, row, target, actor, reason, now)
        await deadline_effects(session, self.calendar, row, source, target, now, self.today())
        audit.record(
            session,
            now,
            actor,
            "transition",
            row.protocol,
            source=source.value,
            target=target.value,
            reason=reason,
        )
        if target.is_open:
            return [event]
        closed = Closed(protocol=row.protocol, occurred_at=now, state=target.value)
        return [event, closed, *survey.requested(row, target, now)]

    async def forward(self, protocol: str, unit: str, extract: str, actor: Actor) -> None:
        """Forward to a unit: it sees ``extract`` only, and has 20 (+20) days to answer.
        Vetoes are asked before the write transaction, as for :meth:`transition`."""
        seen = await self.get(protocol)
        require(actor, Access.FORWARD, seen)
        await self._ask_plugins(seen, State.FORWARDED, actor, f"encaminhada à unidade {unit}")
        async with self.database.write() as session:
            row = await self._unchanged(session, seen)
            events = await self._forward(session, row, unit, actor, extract)
            await self._emit(session, events)

    async def _forward(
        self, session: AsyncSession, row: ManifestationRow, unit: str, actor: Actor, extract: str
    ) -> list[EventBase]:
        now = self.now()
        row.unit_code = unit
        session.add(self._internal(row, extract, actor, forward_to=unit))
        events = await self._move(
            session, row, State.FORWARDED, actor, f"encaminhada à unidade {unit}"
        )
        deadlines.start(session, self.calendar, row, Purpose.UNIT, self.today(), unit)
        return [
            *events,
            Forwarded(protocol=row.protocol, occurred_at=now, unit=unit, actor=actor.label),
        ]

    async def extend_deadline(
        self, protocol: str, purpose: Purpose | str, reason: str, actor: Actor
    ) -> DeadlineView:
        """The single extension the law allows, with its justification."""
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            found = await deadlines.open_deadlines(session, row.id, Purpose(purpose))
            if not found:
                raise NotFound(f"nenhum prazo '{Purpose(purpose).label}' em aberto")
            deadlines.extend(found[-1], self.calendar, to_view(row).kind, reason)
            audit.record(
                session,
                self.now(),
                actor,
                "extend_deadline",
                row.protocol,
                purpose=str(purpose),
                reason=reason,
            )
            return deadlines.view(found[-1], self.today())

    async def _apply_decision(
        self, session: AsyncSession, row: ManifestationRow, outcome: Outcome
    ) -> list[EventBase]:
        """Record the rule and reason, tag, prioritise, assign; forward when decided."""
        columns = routing_columns(outcome, row.tags or (), row.priority, row.confidential)
        for name, value in columns.items():
            setattr(row, name, value)
        if outcome.assign_to:
            row.assignee_id = await self._user_id(session, outcome.assign_to)
        elif outcome.round_robin:
            row.assignee_id, row.routing_reason = await round_robin(
                session, outcome.round_robin, outcome.reason
            )
        if not outcome.forward_to:
            return []
        system = Actor.system("roteamento")
        return await self._forward(session, row, outcome.forward_to, system, self._extract(row))

    def _extract(self, row: ManifestationRow) -> str:
        """What a unit gets when a rule forwards: a denúncia's or a confidential case's
        text pseudonymized (nobody reviewed it), any other case's text as it came."""
        if not (Kind(row.kind).whistleblowing or row.confidential):
            return row.description
        sealed = identity.unseal(self.keys, row.identity)
        name = sealed.citizen.name if sealed.citizen else None
        return pseudonymize(row.description, name, to_view(row).pseudonym)

    async def _user_id(self, session: AsyncSession, email: str) -> int | None:
        query = select(UserRow.id).where(UserRow.email == email, UserRow.active.is_(True))
        return (await session.scalars(query)).one_or_none()
