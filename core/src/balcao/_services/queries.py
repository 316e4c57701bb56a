"""Read models for staff: filtered lists and the timeline of one manifestation."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Literal

import msgspec
from sqlalchemy import (
    ColumnElement,
    Executable,
    Select,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from balcao._access import unit_message
from balcao._db.dialect import dialect_name
from balcao._db.models import ManifestationRow, MessageRow, TransitionRow
from balcao._domain.lifecycle import State
from balcao._services.manifestations import to_view
from balcao._text import fold
from balcao._types import Manifestation

__all__ = [
    "COUNT_CAP",
    "Filters",
    "Page",
    "SearchPlan",
    "TimelineEntry",
    "count_upto",
    "list_manifestations",
    "matches",
    "nearest_due",
    "page_of",
    "search_plan",
    "state_counts",
    "timeline",
]


class Filters(msgspec.Struct, frozen=True, kw_only=True):
    state: str | None = None
    kind: str | None = None
    channel: str | None = None
    unit: str | None = None
    q: str | None = None
    overdue: bool | None = None
    assignee: int | None = None
    unassigned: bool = False
    due_in_days: int | None = None
    page: int = 1
    per_page: int = 25
    # Set by the access policy (``balcao._access.scoped``) for a unit member: only this
    # unit's cases, and ``q`` searches the extracts it was sent, never the citizen's text.
    unit_view: str | None = None
    ids: tuple[int, ...] | None = None
    # "recent": newest first; "deadline": the nearest open deadline first, none last.
    order: Literal["recent", "deadline"] = "recent"

    @property
    def by_deadline(self) -> bool:
        """Whether the list is the overdue cases or those due soon: the backlog's."""
        return bool(self.overdue) or self.due_in_days is not None


class Page(msgspec.Struct, frozen=True, kw_only=True):
    items: list[Manifestation]
    total: int
    page: int
    per_page: int


class TimelineEntry(msgspec.Struct, frozen=True, kw_only=True):
    at: dt.datetime
    type: Literal["inbound", "outbound", "internal", "transition"]
    text: str
    channel: str | None = None
    author: str | None = None
    delivery_state: str | None = None
    delivery_error: str | None = None
    detail: dict[str, Any] = {}


def _fts_phrase(words: list[str]) -> str:
    return " AND ".join('"' + w.replace('"', '""') + '"' for w in words)


COUNT_CAP = 1000
_FTS_ROWIDS = "SELECT rowid FROM manifestations_fts WHERE manifestations_fts MATCH :m"


def _search(query: Select[Any], words: list[str], fts: str, *, by_deadline: bool) -> Select[Any]:
    """Every word as a substring of the folded text: through the SQLite FTS5 trigram index
    (words of three or more letters) when ``fts`` is "all" (every match) or "capped" (the
    first ``COUNT_CAP + 1``), else as LIKE (which pg_trgm indexes on PostgreSQL).

    Under a deadline filter the words are checked on the cases in range only, never looked
    up in a text index: the range is bounded by the backlog, where a common word's matches
    grow with the history. PostgreSQL's planner otherwise intersected both indexes: 92 ms
    for two common words at 1,000,000 cases, against 3.6 ms."""
    folded: ColumnElement[str] = ManifestationRow.search_text.expression
    if by_deadline:
        folded, fts = folded.concat(""), ""  # an expression, which no index answers
    indexed = [w for w in words if len(w) >= 3] if fts else []
    if indexed:
        limit = f" LIMIT {COUNT_CAP + 1}" if fts == "capped" else ""
        matches = text(_FTS_ROWIDS + limit).bindparams(m=_fts_phrase(indexed))
        query = query.where(ManifestationRow.id.in_(matches))
    for word in words:
        if word not in indexed:
            query = query.where(folded.contains(word, autoescape=True))
    return query


async def _unit_matches(session: AsyncSession, unit: str, q: str) -> tuple[int, ...]:
    """The unit's cases whose protocol, extracts and unit answers hold every word of ``q``
    (folded as the staff's search folds): what the unit reads, nothing else."""
    query = (
        select(MessageRow.manifestation_id, MessageRow.text, MessageRow.extra)
        .join(ManifestationRow, ManifestationRow.id == MessageRow.manifestation_id)
        .where(ManifestationRow.unit_code == unit, MessageRow.direction == "internal")
    )
    texts: dict[int, list[str]] = {}
    for case_id, body, extra in (await session.execute(query)).all():
        if unit_message(extra, unit):
            texts.setdefault(int(case_id), []).append(body)
    protocols = await session.execute(
        select(ManifestationRow.id, ManifestationRow.protocol).where(ManifestationRow.id.in_(texts))
    )
    for case_id, protocol in protocols.all():
        texts[int(case_id)].append(protocol)
    words = fold(q).split()
    return tuple(i for i, parts in texts.items() if all(w in fold(" ".join(parts)) for w in words))


async def _resolved(session: AsyncSession, filters: Filters) -> Filters:
    """A unit's search turned into the ids of the cases whose extracts match."""
    if filters.unit_view is None or not filters.q:
        return filters
    ids = await _unit_matches(session, filters.unit_view, filters.q)
    return msgspec.structs.replace(filters, q=None, ids=ids)


def _filtered(filters: Filters, today: dt.date, fts: str = "") -> Select[ManifestationRow]:
    query = select(ManifestationRow)
    if filters.unit_view is not None:
        query = query.where(ManifestationRow.unit_code == filters.unit_view)
    if filters.ids is not None:
        query = query.where(ManifestationRow.id.in_(filters.ids))
    for column, value in (
        (ManifestationRow.state, filters.state),
        (ManifestationRow.kind, filters.kind),
        (ManifestationRow.channel, filters.channel),
        (ManifestationRow.unit_code, filters.unit if filters.unit != filters.unit_view else None),
    ):
        if value:
            query = query.where(column == value)
    if filters.q:
        query = _search(query, fold(filters.q).split(), fts, by_deadline=filters.by_deadline)
    if filters.overdue is not None:
        due = ManifestationRow.due_on
        late = ManifestationRow.past_due(today)
        query = query.where(late if filters.overdue else or_(due.is_(None), ~late))
    return _staff_filters(query, filters, today)


def _staff_filters(query: Select[Any], filters: Filters, today: dt.date) -> Select[Any]:
    if filters.assignee is not None:
        query = query.where(ManifestationRow.assignee_id == filters.assignee)
    if filters.unassigned:
        query = query.where(ManifestationRow.assignee_id.is_(None))
    if filters.due_in_days is not None:
        # the case's nearest open deadline falls in the range (an overdue case is listed
        # under "atrasadas", even with a later deadline in the range)
        last = today + dt.timedelta(days=max(filters.due_in_days, 0))
        query = query.where(ManifestationRow.due_on.between(today, last))
    return query


async def state_counts(
    session: AsyncSession, filters: Filters, today: dt.date, *, fts: str = ""
) -> dict[str, int]:
    """How many manifestations each state holds under the other filters (one query), each
    counted up to ``COUNT_CAP + 1``: an exact count reads every row of the state, so its
    cost grows with the table; a capped one stops after the cap (shown as "mais de")."""
    filters = await _resolved(session, filters)
    statement = _counts_statement(_view(filters), today, fts)
    rows = await session.execute(statement)
    return {str(state): int(count) for state, count in rows.all() if count}


def _view(filters: Filters) -> Filters:
    """The filters without what the counts and matches do not depend on (the state, the
    page, the order), so that every page and tab of a view shares their statements."""
    return msgspec.structs.replace(filters, state=None, page=1, per_page=25, order="recent")


@functools.lru_cache(maxsize=128)
def _counts_statement(filters: Filters, today: dt.date, fts: str) -> Executable:
    """The counts' statement, kept for the views staff come back to: the per-state one joins
    a select per state, which took about 0.9 ms of CPU to build on every inbox page."""
    query = _filtered(filters, today, fts)
    if filters.by_deadline:
        # driven by the cases' nearest deadlines in range (the backlog, not the history).
        # Grouped by an expression, not the column: for the column SQLite walks every case
        # in state order to skip a sort (83 ms at 100,000, against 7 ms through the due
        # dates' index, which holds the state).
        state = ManifestationRow.state.concat("").label("state")
        sub = query.with_only_columns(state).subquery()
        return select(sub.c.state, func.count()).group_by(sub.c.state)
    ids = query.with_only_columns(ManifestationRow.id)
    return union_all(
        *(
            select(literal(state.value).label("state"), func.count().label("n")).select_from(
                ids.where(ManifestationRow.state == state.value).limit(COUNT_CAP + 1).subquery()
            )
            for state in State
        )
    )


async def count_upto(
    session: AsyncSession, filters: Filters, today: dt.date, *, cap: int = COUNT_CAP
) -> int:
    """How many manifestations match ``filters``, counted up to ``cap + 1`` (one query)."""
    filters = await _resolved(session, filters)
    found = _filtered(filters, today).with_only_columns(ManifestationRow.id)
    return int(
        await session.scalar(select(func.count()).select_from(found.limit(cap + 1).subquery())) or 0
    )


async def matches(
    session: AsyncSession, filters: Filters, today: dt.date, *, fts: str = ""
) -> list[tuple[int, str, dt.datetime]]:
    """Up to ``COUNT_CAP + 1`` matches (id, state, creation) under every filter but the
    state: enough to count per state and to page a search without filtering twice."""
    filters = await _resolved(session, filters)
    rows = await session.execute(_matches_statement(_view(filters), today, fts))
    return [(int(i), str(state), at) for i, state, at in rows.all()]


@functools.lru_cache(maxsize=128)
def _matches_statement(filters: Filters, today: dt.date, fts: str) -> Executable:
    # kept as the counts' statement is (a search is paged through, one request a page)
    found = _filtered(filters, today, fts).limit(COUNT_CAP + 1)
    m = ManifestationRow
    return found.with_only_columns(m.id, m.state, m.created_at)


async def page_of(
    session: AsyncSession, found: list[tuple[int, str, dt.datetime]], filters: Filters
) -> Page:
    """One page out of already known matches (all of them, fewer than the cap)."""
    per_page = min(max(filters.per_page, 1), 100)
    page = max(filters.page, 1)
    chosen = [m for m in found if not filters.state or m[1] == filters.state]
    chosen.sort(key=lambda m: (m[2], m[0]), reverse=True)
    if filters.order == "deadline":
        due = await nearest_due(session, [m[0] for m in chosen])
        chosen.sort(key=lambda m: (m[0] not in due, due.get(m[0], dt.date.max), m[0]))
    ids = [m[0] for m in chosen[(page - 1) * per_page : page * per_page]]
    rows = await _rows(session, select(ManifestationRow).where(ManifestationRow.id.in_(ids)))
    by_id = {r.id: r for r in rows}
    items = [to_view(by_id[i]) for i in ids if i in by_id]
    return Page(items=items, total=len(chosen), page=page, per_page=per_page)


class SearchPlan(msgspec.Struct, frozen=True):
    """How to answer an inbox search: the ``fts`` mode for the counts and for the page."""

    counts: str = ""
    page: str = ""


async def search_plan(session: AsyncSession, filters: Filters) -> SearchPlan:
    """On SQLite, ask the trigram index (cheaply: it stops at the cap) whether the search is
    small: then it is answered from the index. A large search reads rows newest first (or
    through the other filters' indexes) and counts its first matches only: listing every
    match of a common word from the index costs more than reading rows until a page fills."""
    words = [w for w in fold(filters.q or "").split() if len(w) >= 3]
    # under a deadline filter the words are checked on the cases in range (``_search``)
    if dialect_name(session) != "sqlite" or not words or filters.unit_view or filters.by_deadline:
        return SearchPlan()
    narrowed = any(
        (
            filters.kind,
            filters.channel,
            filters.unit,
            filters.assignee,
            filters.unassigned,
        )
    )
    probe = text(f"SELECT count(*) FROM ({_FTS_ROWIDS} LIMIT :cap)")  # noqa: S608 - constant
    found = await session.scalar(probe.bindparams(m=_fts_phrase(words), cap=COUNT_CAP + 1))
    if int(found or 0) <= COUNT_CAP:
        return SearchPlan(counts="all", page="all")
    return SearchPlan(counts="" if narrowed else "capped", page="")


async def list_manifestations(
    session: AsyncSession,
    filters: Filters,
    today: dt.date,
    *,
    total: int | None = None,
    fts: str = "",
) -> Page:
    """One page; pass ``total`` when it is already known (e.g. from :func:`state_counts`)."""
    per_page = min(max(filters.per_page, 1), 100)
    page = max(filters.page, 1)
    query = _filtered(await _resolved(session, filters), today, fts)
    if total is None:
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
    if filters.order == "deadline":
        rows = await _by_deadline(session, query, page, per_page)
    else:
        rows = await _rows(session, _newest_page(query, per_page, (page - 1) * per_page))
    return Page(
        items=[to_view(r) for r in rows], total=int(total or 0), page=page, per_page=per_page
    )


async def _by_deadline(
    session: AsyncSession, query: Select[Any], page: int, per_page: int
) -> list[ManifestationRow]:
    """The nearest open deadline first, then the cases with none (oldest first). The first
    part walks the cases' due dates in order and stops when the page is full; the rest,
    for a page past them, walks the cases in id order. Neither reads every case (one sort
    over both parts would: SQLite puts the cases with none first)."""
    offset, due = (page - 1) * per_page, ManifestationRow.due_on
    first = query.where(due.is_not(None)).order_by(due, ManifestationRow.id)
    rows = await _rows(session, first.limit(per_page).offset(offset))
    if len(rows) == per_page:
        return rows
    known = first.with_only_columns(ManifestationRow.id).order_by(None)
    counted = await session.scalar(select(func.count()).select_from(known.subquery()))
    rest = query.where(due.is_(None)).order_by(ManifestationRow.id)
    rest = rest.limit(per_page - len(rows)).offset(max(offset - int(counted or 0), 0))
    return rows + await _rows(session, rest)


def _newest_page(query: Select[Any], limit: int, offset: int) -> Select[Any]:
    """A page of ``query``, newest first. The page's ids are chosen first, sorting only the
    (creation, id) pairs, then their rows are read: sorting whole rows of a large match
    (15,000 overdue cases, measured on SQLite) took 80 ms, the pairs 21 ms."""
    newest = (ManifestationRow.created_at.desc(), ManifestationRow.id.desc())
    ids = query.with_only_columns(ManifestationRow.id).order_by(*newest)
    chosen = ids.limit(limit).offset(offset).scalar_subquery()
    return select(ManifestationRow).where(ManifestationRow.id.in_(chosen)).order_by(*newest)


async def _rows(session: AsyncSession, query: Select[Any]) -> list[ManifestationRow]:
    """The cases a page lists, with the identity its view needs loaded in the same round."""
    return list(await session.scalars(query.options(selectinload(ManifestationRow.identity))))


async def nearest_due(session: AsyncSession, ids: list[int]) -> dict[int, dt.date]:
    """The nearest open deadline of each of ``ids`` (one query): the inbox's "Prazo"."""
    if not ids:
        return {}
    query = select(ManifestationRow.id, ManifestationRow.due_on).where(ManifestationRow.id.in_(ids))
    return {int(i): day for i, day in (await session.execute(query)).all() if day is not None}


async def timeline(
    session: AsyncSession, manifestation_id: int, *, public_only: bool = False
) -> list[TimelineEntry]:
    """Messages and transitions in time order; ``public_only`` drops internal notes and
    the staff's workflow (what the citizen may see)."""
    messages = await session.scalars(
        select(MessageRow).where(MessageRow.manifestation_id == manifestation_id)
    )
    entries = [
        _message_entry(m) for m in messages if not (public_only and m.direction == "internal")
    ]
    if not public_only:
        transitions = await session.scalars(
            select(TransitionRow).where(TransitionRow.manifestation_id == manifestation_id)
        )
        entries += [_transition_entry(t) for t in transitions]
    return sorted(entries, key=lambda e: e.at)


def _message_entry(message: MessageRow) -> TimelineEntry:
    return TimelineEntry(
        at=message.created_at,
        type=message.direction,  # type: ignore[arg-type]
        text=message.text,
        channel=message.channel,
        author=(message.extra or {}).get("author"),
        delivery_state=message.delivery_state,
        delivery_error=message.delivery_error,
        detail={k: v for k, v in (message.extra or {}).items() if k != "author"},
    )


def _transition_entry(row: TransitionRow) -> TimelineEntry:
    return TimelineEntry(
        at=row.at,
        type="transition",
        text=row.reason,
        author=row.actor,
        detail={"from": row.source, "to": row.target},
    )
