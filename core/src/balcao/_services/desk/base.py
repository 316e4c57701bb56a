"""The desk's shared context: what every service of the desk needs."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from balcao._access import Access, require
from balcao._config import Settings
from balcao._db.engine import Database
from balcao._db.models import (
    ManifestationRow,
    MessageRow,
)
from balcao._domain.calendar import BusinessCalendar
from balcao._domain.lifecycle import State
from balcao._errors import NotFound
from balcao._events import (
    EventBase,
)
from balcao._keys import KeyRing
from balcao._sealing import Sealer, SealRegistry
from balcao._services import events as domain_events
from balcao._services.attachments import (
    FileStore,
)
from balcao._services.manifestations import (
    load,
    to_view,
)
from balcao._services.read_model import ReadModel
from balcao._services.sealed import CORE_COLUMNS
from balcao._specs import ChannelAdapter, ChannelSpec, Registered, RoutingRuleSpec
from balcao._storage import PluginStorage
from balcao._types import (
    Actor,
    Manifestation,
)

if TYPE_CHECKING:
    from balcao._clock import Clock
    from balcao._desk import Desk
    from balcao._host import PluginHost

__all__ = ["DeskCore"]

log = logging.getLogger("balcao.desk")


class DeskCore:
    """The shared context of the desk's services: settings, plugins, database, seals, calendar,
    clock, files and channels; time, events, loading and the access check."""

    def __init__(
        self,
        *,
        settings: Settings,
        host: PluginHost,
        database: Database,
        keys: KeyRing,
        calendar: BusinessCalendar,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.host = host
        self.database = database
        self.seals = SealRegistry(keys, CORE_COLUMNS)
        self.calendar = calendar
        self.clock = clock
        self.files = FileStore(settings.attachments_dir)
        self.channels: dict[str, Registered[ChannelSpec]] = {}
        self.rules: list[Registered[RoutingRuleSpec]] = []
        self._adapters: dict[str, ChannelAdapter] = {}

    async def current_rules(self) -> list[Registered[RoutingRuleSpec]]:
        """The rules in force: those loaded at start-up plus the newest version saved in the
        browser (its number looked up on every decision: every instance follows a save at once)."""
        from balcao._routing.stored import rules_in_force

        return await rules_in_force(cast("Desk", self))

    @property
    def keys(self) -> KeyRing:
        """The key ring: the core's own (plugins use :meth:`sealer`)."""
        return self.seals.ring

    @keys.setter
    def keys(self, ring: KeyRing) -> None:
        self.seals.ring = ring

    def storage(self, owner: str, *, prefix: str | None = None) -> PluginStorage:
        """Sessions over the tables of plugin ``owner`` only (see :class:`PluginStorage`)."""
        return PluginStorage(self.database, owner, prefix)

    @property
    def read_model(self) -> ReadModel:
        """Read-only queries over every manifestation, for exporters (no identity)."""
        return ReadModel(self.database)

    def sealer(self, purpose: str) -> Sealer:
        """Seal, open, hash and sign for ``purpose`` (registered with
        ``balcao_register_sealed_columns``); plugins never see the keys themselves."""
        return self.seals.sealer(purpose)

    def now(self) -> dt.datetime:
        return self.clock.now()

    def today(self) -> dt.date:
        return self.calendar.local(self.now()).date()

    def is_open(self) -> bool:
        return self.calendar.is_open(self.now())

    async def publish(self, events: Sequence[EventBase]) -> None:
        """Record ``events`` for every plugin's ``balcao_on_event``, in a transaction of
        their own; the worker delivers them, at least once (see :meth:`emit`)."""
        async with self.database.write() as session:
            await self._emit(session, events)

    async def _emit(self, session: AsyncSession, events: Sequence[EventBase]) -> None:
        """Write ``events`` in the transaction of the change they describe: one row per
        plugin handler, delivered by the worker after commit (and only then)."""
        await domain_events.record(session, self.host.implementers("balcao_on_event"), events)

    async def get(self, protocol: str) -> Manifestation:
        async with self.database.read() as session:
            return to_view(await self._load(session, protocol))

    async def authorize(
        self, protocol: str, actor: Actor, action: Access | str, target: State | None = None
    ) -> Manifestation:
        """The manifestation, when ``actor`` may do ``action`` to it (the access policy):
        :class:`NotFound` when the actor may not see it, :class:`Forbidden` when it may see
        it but not do this. Staff routes of plugins call it before they touch a case."""
        found = await self.get(protocol)
        require(actor, action, found, target)
        return found

    async def _load(
        self, session: AsyncSession, protocol: str, for_update: bool = False
    ) -> ManifestationRow:
        row = await load(session, protocol, for_update=for_update)
        if row is None:
            raise NotFound(f"manifestação {protocol} não encontrada")
        return row

    def _internal(self, row: ManifestationRow, text: str, actor: Actor, **extra: Any) -> MessageRow:
        """A staff-only message (note, extract, unit answer) on ``row``."""
        return MessageRow(
            manifestation_id=row.id,
            direction="internal",
            channel="staff",
            text=text,
            author_id=actor.user_id,
            created_at=self.now(),
            extra={"author": actor.name, **extra},
        )
