"""Read models for staff: filtered lists and the timeline of one manifestation."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import msgspec
from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from balcao._db.models import DeadlineRow, ManifestationRow, MessageRow, TransitionRow
from balcao._services.manifestations import to_view
from balcao._text import fold
from balcao._types import Manifestation

__all__ = ["Filters", "Page", "TimelineEntry", "list_manifestations", "timeline"]


class Filters(msgspec.Struct, frozen=True, kw_only=True):
    state: str | None = None
    kind: str | None = None
    channel: str | None = None
    unit: str | None = None
    q: str | None = None
    overdue: bool | None = None
    page: int = 1
    per_page: int = 25


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


def _filtered(filters: Filters, today: dt.date) -> Select[ManifestationRow]:
    query = select(ManifestationRow)
    for column, value in (
        (ManifestationRow.state, filters.state),
        (ManifestationRow.kind, filters.kind),
        (ManifestationRow.channel, filters.channel),
        (ManifestationRow.unit_code, filters.unit),
    ):
        if value:
            query = query.where(column == value)
    if filters.q:
        for word in fold(filters.q).split():
            query = query.where(ManifestationRow.search_text.contains(word, autoescape=True))
    if filters.overdue is not None:
        late = exists().where(
            DeadlineRow.manifestation_id == ManifestationRow.id,
            DeadlineRow.met_at.is_(None),
            DeadlineRow.due_on < today,
        )
        query = query.where(late if filters.overdue else ~late)
    return query


async def list_manifestations(session: AsyncSession, filters: Filters, today: dt.date) -> Page:
    per_page = min(max(filters.per_page, 1), 100)
    page = max(filters.page, 1)
    query = _filtered(filters, today)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(ManifestationRow.created_at.desc(), ManifestationRow.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
        .options(selectinload(ManifestationRow.identity))
    )
    return Page(
        items=[to_view(r) for r in rows], total=int(total or 0), page=page, per_page=per_page
    )


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
