"""The deadline watcher's first pass over thousands of overdue deadlines: bounded chunks,
each warning raised exactly once, and a pass cut short resumes where it stopped."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, insert, select

from balcao import EventBase, hookimpl
from balcao._db.models import DeadlineRow, EventDelivery, ManifestationRow
from balcao._services.deadline_watch import CHUNK, warn_chunk, watch_deadlines
from balcao.testing import Balcao

OVERDUE = 2000
NEAR = 30
MET = 20


class Listener:
    @hookimpl
    async def balcao_on_event(self, event: EventBase) -> None:
        """Only here so that the core records its events for a handler."""


def _manifestation(i: int, at: dt.datetime) -> dict[str, Any]:
    return {
        "id": i,
        "protocol": f"2026-{i:06d}",
        "year": 2026,
        "sequence": i,
        "kind": "reclamacao",
        "channel": "webform",
        "state": "triage",
        "created_at": at,
        "updated_at": at,
        "tags": [],
        "extra": {},
    }


def _deadline(i: int, due: dt.date, met: dt.datetime | None = None) -> dict[str, Any]:
    return {
        "manifestation_id": i,
        "purpose": "response",
        "started_on": due - dt.timedelta(days=30),
        "due_on": due,
        "met_at": met,
    }


async def seeded(make_balcao: Any) -> Balcao:
    b: Balcao = await make_balcao(plugins=[("listener", Listener())])
    now, today = b.desk.now(), b.desk.today()
    total = OVERDUE + NEAR + MET
    deadlines = [_deadline(i, today - dt.timedelta(days=1 + i % 40)) for i in range(1, OVERDUE + 1)]
    near = range(OVERDUE + 1, OVERDUE + NEAR + 1)
    deadlines += [_deadline(i, today + dt.timedelta(days=1)) for i in near]
    met = range(OVERDUE + NEAR + 1, total + 1)
    deadlines += [_deadline(i, today - dt.timedelta(days=3), met=now) for i in met]
    async with b.desk.database.write() as session:
        rows = [_manifestation(i, now) for i in range(1, total + 1)]
        await session.execute(insert(ManifestationRow), rows)
        await session.execute(insert(DeadlineRow), deadlines)
    return b


async def warnings(b: Balcao) -> dict[str, list[int]]:
    """Per event type, how many events each warned protocol got."""
    query = select(EventDelivery.event_type, func.count()).group_by(
        EventDelivery.event_type, EventDelivery.protocol
    )
    found: dict[str, list[int]] = {}
    async with b.desk.database.read() as session:
        for event_type, count in (await session.execute(query)).all():
            found.setdefault(event_type, []).append(count)
    return found


async def test_first_pass_warns_every_due_deadline_exactly_once(make_balcao: Any) -> None:
    b = await seeded(make_balcao)
    await watch_deadlines(b.desk)
    await watch_deadlines(b.desk)  # the next run finds nothing new
    found = await warnings(b)
    assert sorted(found) == ["DeadlineNear", "DeadlineOverdue"]
    assert (len(found["DeadlineOverdue"]), set(found["DeadlineOverdue"])) == (OVERDUE, {1})
    assert (len(found["DeadlineNear"]), set(found["DeadlineNear"])) == (NEAR, {1})
    async with b.desk.database.read() as session:
        flagged = await session.scalar(
            select(func.count()).where(DeadlineRow.warned_overdue.is_(True))
        )
    assert flagged == OVERDUE  # the deadlines already met are left alone


async def test_each_chunk_commits_on_its_own_and_a_cut_pass_resumes(make_balcao: Any) -> None:
    b = await seeded(make_balcao)
    after, _ = await warn_chunk(b.desk, b.desk.today(), 0)
    assert after is not None
    # what a crash right after the first chunk leaves behind: that chunk, committed
    assert len((await warnings(b))["DeadlineOverdue"]) == CHUNK
    await watch_deadlines(b.desk)
    found = await warnings(b)
    assert (len(found["DeadlineOverdue"]), set(found["DeadlineOverdue"])) == (OVERDUE, {1})
    assert set(found["DeadlineNear"]) == {1}


async def test_a_small_chunk_covers_the_same_ground(make_balcao: Any) -> None:
    b = await seeded(make_balcao)
    await watch_deadlines(b.desk, chunk=7)
    found = await warnings(b)
    assert (len(found["DeadlineOverdue"]), set(found["DeadlineOverdue"])) == (OVERDUE, {1})
    assert len(found["DeadlineNear"]) == NEAR
