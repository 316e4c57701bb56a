"""Deadline rows: started, paused, resumed, extended, met; and the days left."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import DeadlineRow, ManifestationRow
from balcao._domain.calendar import BusinessCalendar
from balcao._domain.deadlines import Purpose, resumed_due_date, rule_for
from balcao._domain.kinds import Kind
from balcao._types import DeadlineView

__all__ = [
    "DeadlineError",
    "extend",
    "meet",
    "open_deadlines",
    "opening",
    "opening_view",
    "pause",
    "resume",
    "start",
    "view",
    "view_of",
]


class DeadlineError(ValueError):
    """A deadline operation that the law does not allow (e.g. a second extension)."""


def start(
    session: AsyncSession,
    calendar: BusinessCalendar,
    manifestation: ManifestationRow,
    purpose: Purpose,
    today: dt.date,
    unit_code: str | None = None,
) -> DeadlineRow:
    values = opening(calendar, manifestation.id, manifestation.kind, purpose, today, unit_code)
    row = DeadlineRow(**values)
    session.add(row)
    return row


def opening(
    calendar: BusinessCalendar,
    manifestation_id: int,
    kind: str,
    purpose: Purpose,
    today: dt.date,
    unit_code: str | None = None,
) -> dict[str, Any]:
    """A deadline's row as it starts ``today``: the legal days of its rule, counted."""
    rule = rule_for(purpose, Kind(kind))
    return {
        "manifestation_id": manifestation_id,
        "purpose": purpose.value,
        "unit_code": unit_code,
        "started_on": today,
        "due_on": calendar.add_legal_days(today, rule.days),
        "extended": False,
        "extension_reason": None,
        "paused_on": None,
        "met_at": None,
        "warned_near": False,
        "warned_overdue": False,
    }


async def open_deadlines(
    session: AsyncSession, manifestation_id: int, purpose: Purpose | None = None
) -> list[DeadlineRow]:
    query = select(DeadlineRow).where(
        DeadlineRow.manifestation_id == manifestation_id, DeadlineRow.met_at.is_(None)
    )
    if purpose is not None:
        query = query.where(DeadlineRow.purpose == purpose.value)
    return list((await session.scalars(query.order_by(DeadlineRow.id))).all())


def pause(row: DeadlineRow, today: dt.date) -> None:
    if row.paused_on is None:
        row.paused_on = today


def resume(row: DeadlineRow, calendar: BusinessCalendar, today: dt.date) -> None:
    if row.paused_on is not None:
        row.due_on = resumed_due_date(calendar, row.due_on, row.paused_on, today)
        row.paused_on = None


def extend(row: DeadlineRow, calendar: BusinessCalendar, kind: Kind, reason: str) -> None:
    """The one extension the law allows, with its recorded justification."""
    rule = rule_for(Purpose(row.purpose), kind)
    if not reason.strip():
        raise DeadlineError("a prorrogação exige uma justificativa")
    if row.extended or rule.extension_days == 0:
        raise DeadlineError(
            f"o prazo '{Purpose(row.purpose).label}' não pode ser prorrogado "
            f"novamente ({rule.basis})"
        )
    row.due_on = calendar.add_legal_days(row.due_on, rule.extension_days)
    row.extended, row.extension_reason = True, reason.strip()
    row.warned_near = row.warned_overdue = False


def meet(row: DeadlineRow, now: dt.datetime) -> None:
    row.met_at = now


def view(row: DeadlineRow, today: dt.date) -> DeadlineView:
    return view_of(row.purpose, row.due_on, today, row.extended, row.paused_on, row.unit_code)


def opening_view(values: dict[str, Any], today: dt.date) -> DeadlineView:
    """The view of a row given by :func:`opening`, without reading it back."""
    return view_of(values["purpose"], values["due_on"], today, False, None, values["unit_code"])


def view_of(
    purpose_value: str,
    due_on: dt.date,
    today: dt.date,
    extended: bool,
    paused_on: dt.date | None,
    unit_code: str | None,
) -> DeadlineView:
    purpose = Purpose(purpose_value)
    return DeadlineView(
        purpose=purpose.value,
        label=purpose.label,
        due_on=due_on,
        days_left=(due_on - today).days,
        extended=extended,
        paused=paused_on is not None,
        unit_code=unit_code,
    )
