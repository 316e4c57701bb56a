"""The public read model for exporters and reports: manifestations as frozen records.

Streams in constant memory (batches of 1,000 rows), with the columns reports need and never
the citizen's identity: free text and the pseudonym only when asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import msgspec
from sqlalchemy import RowMapping, Select, and_, func, select

from balcao._db.engine import Database
from balcao._db.models import DeadlineRow, IdentityRow, ManifestationRow, TransitionRow
from balcao._db.public_service import SurveyRow
from balcao._domain.kinds import Kind
from balcao._domain.lifecycle import State

if TYPE_CHECKING:
    from balcao._config import Settings

__all__ = ["CaseRecord", "ReadModel"]

_BATCH = 1000


class CaseRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One manifestation as reports see it (no identity).

    Attributes:
        protocol: ``YYYY-NNNNNN``.
        kind, state, channel: as on :class:`balcao.Manifestation`.
        subject, description: the citizen's text; empty unless asked ``with_text``.
        anonymous: registered without identification.
        pseudonym: ``"Manifestante 7F3A"``; ``"Manifestante"`` unless asked ``with_text``.
        created_at, closed_at: UTC.
        due_on: the response deadline's last day (after any extension), if any.
        answered_at: when it first reached ``answered``, if ever (UTC).
        attended, rating: the satisfaction survey's answer, if given.
    """

    protocol: str
    kind: Kind
    state: State
    channel: str
    subject: str
    description: str
    anonymous: bool
    pseudonym: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    due_on: dt.date | None
    answered_at: dt.datetime | None
    attended: str | None = None
    rating: int | None = None


class ReadModel:
    """Read-only queries over every manifestation, for exporters and reports.

    Plugins get it as ``desk.read_model``; a command-line export without a running app opens
    one with ``ReadModel.connect(settings)``. It never returns the citizen's identity.

    Example::

        async for case in desk.read_model.cases(first, after, with_text=True):
            write(case.protocol, case.state, case.due_on)
    """

    def __init__(self, database: Database) -> None:
        self._database = database

    @classmethod
    @asynccontextmanager
    async def connect(cls, settings: Settings) -> AsyncIterator[ReadModel]:
        """A read model on the database of ``settings``, closed when the block ends.

        Raises:
            sqlalchemy.exc.DBAPIError: the database cannot be read (say, not migrated)."""
        database = Database(settings.database_url)
        try:
            yield cls(database)
        finally:
            await database.dispose()

    async def count(self, first: dt.datetime, after: dt.datetime) -> int:
        """How many manifestations were registered from ``first`` (inclusive) to ``after``
        (exclusive); both aware datetimes."""
        m = ManifestationRow
        query = select(func.count()).where(m.created_at >= first, m.created_at < after)
        async with self._database.read() as session:
            return int(await session.scalar(query) or 0)

    async def cases(
        self, first: dt.datetime, after: dt.datetime, *, with_text: bool = False
    ) -> AsyncIterator[CaseRecord]:
        """The manifestations registered from ``first`` to ``after`` (exclusive), in
        registration order, fetched in batches; the text and pseudonym only ``with_text``."""
        query = _query(first, after, with_text).execution_options(yield_per=_BATCH)
        async with self._database.read() as session:
            result = await session.stream(query)
            # whole batches per await: one switch into the driver per 1,000 rows, not per row
            async for batch in result.mappings().partitions(_BATCH):
                for row in batch:
                    yield _record(row, with_text)


def _query(first: dt.datetime, after: dt.datetime, with_text: bool) -> Select[Any]:
    m, i, s = ManifestationRow, IdentityRow, SurveyRow
    due = (
        select(func.max(DeadlineRow.due_on))
        .where(DeadlineRow.manifestation_id == m.id, DeadlineRow.purpose == "response")
        .scalar_subquery()
    )
    answered = (
        select(func.min(TransitionRow.at))
        .where(TransitionRow.manifestation_id == m.id, TransitionRow.target == State.ANSWERED.value)
        .scalar_subquery()
    )
    text = (m.subject, m.description, i.pseudonym) if with_text else ()
    columns = (m.protocol, m.kind, m.state, m.channel, m.anonymous, m.created_at, m.closed_at)
    return (
        select(*columns, due.label("due_on"), answered.label("answered_at"))
        .add_columns(s.attended, s.rating, *text)
        .select_from(m)
        .outerjoin(i, i.manifestation_id == m.id)
        .outerjoin(s, s.manifestation_id == m.id)
        .where(and_(m.created_at >= first, m.created_at < after))
        .order_by(m.created_at, m.id)
    )


def _record(r: RowMapping, with_text: bool) -> CaseRecord:
    return CaseRecord(
        protocol=r["protocol"],
        kind=Kind(r["kind"]),
        state=State(r["state"]),
        channel=r["channel"],
        subject=(r["subject"] or "") if with_text else "",
        description=(r["description"] or "") if with_text else "",
        anonymous=bool(r["anonymous"]),
        pseudonym=(r["pseudonym"] or "Manifestante") if with_text else "Manifestante",
        created_at=r["created_at"],
        closed_at=r["closed_at"],
        due_on=r["due_on"],
        answered_at=r["answered_at"],
        attended=r["attended"],
        rating=r["rating"],
    )
