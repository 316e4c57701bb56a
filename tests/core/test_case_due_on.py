"""Each case carries its nearest open deadline (``manifestations.due_on``), which the inbox's
overdue and due-soon filters read. The database keeps it, whoever writes a deadline: the
lifecycle through the ORM or a statement written by hand (an upgrade fills it in for older
data: ``tests/deploy/test_upgrade.py``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, insert, select, update

from balcao import State
from balcao._db.models import DeadlineRow, ManifestationRow
from balcao.testing import Balcao


async def _due(balcao: Balcao, protocol: str) -> tuple[dt.date | None, dt.date | None]:
    """The case's ``due_on`` and, worked out here, the earliest of its deadlines not met."""
    async with balcao.desk.database.read() as session:
        case = (
            await session.execute(
                select(ManifestationRow.id, ManifestationRow.due_on).where(
                    ManifestationRow.protocol == protocol
                )
            )
        ).one()
        rows = await session.execute(
            select(DeadlineRow.due_on, DeadlineRow.met_at).where(
                DeadlineRow.manifestation_id == case.id
            )
        )
        open_days = [due for due, met in rows.all() if met is None]
    return case.due_on, min(open_days, default=None)


async def test_the_lifecycle_keeps_each_case_at_its_nearest_open_deadline(balcao: Balcao) -> None:
    case = await balcao.manifestation("Bolsa atrasada")
    ouvidor, _ = await balcao.user("ouvidor")
    response, nearest = await _due(balcao, case.protocol)
    assert response == nearest is not None  # the response deadline, from the intake's insert

    await balcao.desk.forward(case.protocol, "PRAE", "Extrato", ouvidor)
    stored, nearest = await _due(balcao, case.protocol)
    assert stored == nearest  # the unit's 20 days end before the 30 of the answer
    assert stored is not None and stored < response

    await balcao.desk.extend_deadline(case.protocol, "unit", "Unidade pediu mais prazo", ouvidor)
    extended, nearest = await _due(balcao, case.protocol)
    assert extended == nearest and extended is not None and extended > stored

    await balcao.desk.transition(case.protocol, State.UNIT_ANSWERED, ouvidor, "respondeu")
    await balcao.desk.transition(case.protocol, State.ANSWERED, ouvidor, "respondida")
    assert await _due(balcao, case.protocol) == (None, None)


async def test_deadlines_written_by_hand_move_their_case(balcao: Balcao) -> None:
    case = await balcao.manifestation("Ônibus atrasado")
    today = balcao.desk.today()
    async with balcao.desk.database.write() as session:
        case_id = await session.scalar(
            select(ManifestationRow.id).where(ManifestationRow.protocol == case.protocol)
        )
        await session.execute(
            insert(DeadlineRow).values(
                manifestation_id=case_id,
                purpose="unit",
                started_on=today - dt.timedelta(days=30),
                due_on=today - dt.timedelta(days=3),
            )
        )
    assert await _due(balcao, case.protocol) == (today - dt.timedelta(days=3),) * 2

    unit_deadline = DeadlineRow.purpose == "unit"
    async with balcao.desk.database.write() as session:
        moved = update(DeadlineRow).where(unit_deadline).values(due_on=today - dt.timedelta(1))
        await session.execute(moved)
    assert await _due(balcao, case.protocol) == (today - dt.timedelta(days=1),) * 2

    async with balcao.desk.database.write() as session:
        await session.execute(delete(DeadlineRow).where(unit_deadline))
    stored, nearest = await _due(balcao, case.protocol)
    assert stored == nearest and stored is not None and stored > today  # the response's

    async with balcao.desk.database.write() as session:
        await session.execute(update(DeadlineRow).values(met_at=balcao.desk.now()))
    assert await _due(balcao, case.protocol) == (None, None)
