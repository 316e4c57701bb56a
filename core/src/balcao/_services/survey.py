"""Survey answers: who may answer, storing one answer per manifestation, changes within
the configured days."""

from __future__ import annotations

import datetime as dt

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import ManifestationRow
from balcao._db.public_service import SurveyRow
from balcao._domain.kinds import Kind
from balcao._domain.lifecycle import State
from balcao._domain.survey import Attended, SurveyAnswer, asked
from balcao._events import SurveyAnswered, SurveyRequested

__all__ = ["SurveyClosed", "SurveyView", "load_answer", "requested", "save_answer", "survey_view"]


class SurveyClosed(Exception):
    """The survey does not take this answer now; the message says why, in pt-BR."""


class SurveyView(msgspec.Struct, frozen=True, kw_only=True):
    """Where a manifestation's survey stands: whether it takes an answer now, the answer
    given (if any) and until when it may be changed."""

    open: bool
    attended: Attended | None = None
    rating: int | None = None
    comment: str = ""
    channel: str | None = None
    answered_at: dt.datetime | None = None
    changeable_until: dt.datetime | None = None


def requested(row: ManifestationRow, target: State, now: dt.datetime) -> list[SurveyRequested]:
    """The survey event for a manifestation just concluded, when its citizen is asked."""
    if target is not State.CLOSED or not asked(Kind(row.kind), row.anonymous):
        return []
    return [
        SurveyRequested(protocol=row.protocol, occurred_at=now, kind=row.kind, channel=row.channel)
    ]


async def load_answer(session: AsyncSession, manifestation_id: int) -> SurveyRow | None:
    query = select(SurveyRow).where(SurveyRow.manifestation_id == manifestation_id)
    return (await session.scalars(query)).one_or_none()


def survey_view(
    row: ManifestationRow, answer: SurveyRow | None, now: dt.datetime, change_days: int
) -> SurveyView:
    if answer is None:
        return SurveyView(open=_askable(row))
    until = answer.answered_at + dt.timedelta(days=change_days)
    return SurveyView(
        open=_askable(row) and now < until,
        attended=Attended(answer.attended),
        rating=answer.rating,
        comment=answer.comment,
        channel=answer.channel,
        answered_at=answer.answered_at,
        changeable_until=until,
    )


def _askable(row: ManifestationRow) -> bool:
    return row.state == State.CLOSED.value and asked(Kind(row.kind), row.anonymous)


async def save_answer(
    session: AsyncSession,
    row: ManifestationRow,
    answer: SurveyAnswer,
    channel: str,
    *,
    now: dt.datetime,
    change_days: int,
) -> SurveyAnswered:
    """Store or change the answer; :class:`SurveyClosed` when it may not be given now."""
    if not asked(Kind(row.kind), row.anonymous):
        raise SurveyClosed("Esta manifestação não tem pesquisa de satisfação.")
    if row.state != State.CLOSED.value:
        raise SurveyClosed("A pesquisa abre quando a manifestação for concluída.")
    stored = await load_answer(session, row.id)
    if stored is None:
        stored = SurveyRow(manifestation_id=row.id, answered_at=now)
        session.add(stored)
    elif now >= stored.answered_at + dt.timedelta(days=change_days):
        raise SurveyClosed(f"A resposta só pode ser alterada em até {change_days} dias.")
    changed = stored.id is not None
    stored.attended, stored.rating = answer.attended.value, answer.rating
    stored.comment, stored.channel, stored.updated_at = answer.comment.strip(), channel, now
    return SurveyAnswered(
        protocol=row.protocol,
        occurred_at=now,
        channel=channel,
        attended=answer.attended.value,
        rating=answer.rating,
        changed=changed,
    )
