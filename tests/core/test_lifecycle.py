import datetime as dt

import pytest

from balcao import (
    Actor,
    DeadlineNear,
    DeadlineOverdue,
    EventBase,
    IllegalTransition,
    Manifestation,
    Purpose,
    State,
    StatusChanged,
    TransitionRefused,
    Veto,
    hookimpl,
)
from balcao.testing import Balcao

STAFF = Actor(kind="user", name="atendente@example.org", role="atendente")


class Recorder:
    def __init__(self) -> None:
        self.events: list[EventBase] = []

    @hookimpl
    async def balcao_on_event(self, event: EventBase) -> None:
        self.events.append(event)


class Broken:
    @hookimpl
    def balcao_on_event(self) -> None:
        raise RuntimeError("quebrei")


class NoClosingWithoutNup:
    @hookimpl
    def balcao_validate_transition(
        self, manifestation: Manifestation, target: State
    ) -> Veto | None:
        if target is State.CLOSED and not manifestation.falabr_nup:
            return Veto(reason="registre no Fala.BR antes de concluir")
        return None


async def test_legal_and_illegal_transitions_are_recorded_or_refused(balcao: Balcao) -> None:
    receipt = await balcao.manifestation()
    moved = await balcao.desk.transition(receipt.protocol, State.ANSWERED, STAFF, "respondida")
    assert moved.state is State.ANSWERED
    with pytest.raises(IllegalTransition):
        await balcao.desk.transition(receipt.protocol, State.FORWARDED, STAFF)


async def test_hook_balcao_on_event_gets_events_and_a_broken_handler_harms_nobody(
    make_balcao,
    recording_channel,  # type: ignore[no-untyped-def]
) -> None:
    recorder = Recorder()
    b = await make_balcao(
        plugins=[("fake", recording_channel), ("recorder", recorder), ("broken", Broken())]
    )
    receipt = await b.manifestation()
    await b.desk.transition(receipt.protocol, State.ARCHIVED, STAFF, "duplicada")
    assert recorder.events == []  # events go to plugins from the worker, after commit
    await b.run_worker()
    types = [type(e).__name__ for e in recorder.events]
    assert types[:3] == ["ManifestationCreated", "StatusChanged", "StatusChanged"]
    assert types[-2:] == ["StatusChanged", "Closed"]
    last = [e for e in recorder.events if isinstance(e, StatusChanged)][-1]
    assert (last.source, last.target, last.reason) == ("triage", "archived", "duplicada")


async def test_hook_balcao_validate_transition_vetoes_with_the_plugin_name(
    make_balcao,  # type: ignore[no-untyped-def]
) -> None:
    b = await make_balcao(plugins=[("falabr_gate", NoClosingWithoutNup())])
    receipt = await b.manifestation()
    await b.desk.transition(receipt.protocol, State.ANSWERED, STAFF)
    with pytest.raises(TransitionRefused, match=r"falabr_gate: registre no Fala\.BR"):
        await b.desk.transition(receipt.protocol, State.CLOSED, STAFF)
    assert (await b.desk.get(receipt.protocol)).state is State.ANSWERED


async def test_response_deadline_is_30_days_and_extends_once(balcao: Balcao) -> None:
    receipt = await balcao.manifestation()
    [deadline] = await balcao.desk.deadlines(receipt.protocol)
    assert (deadline.purpose, deadline.due_on, deadline.days_left) == (
        "response",
        dt.date(2026, 12, 31),
        30,
    )
    extended = await balcao.desk.extend_deadline(
        receipt.protocol, Purpose.RESPONSE, "aguardando laudo técnico", STAFF
    )
    assert extended.due_on == dt.date(2027, 2, 1)  # 30 Jan is Saturday
    from balcao._services.deadlines import DeadlineError

    with pytest.raises(DeadlineError, match="não pode ser prorrogado"):
        await balcao.desk.extend_deadline(receipt.protocol, Purpose.RESPONSE, "de novo", STAFF)


async def test_complementation_pauses_the_clock_only_the_first_time(balcao: Balcao) -> None:
    receipt = await balcao.manifestation()
    await balcao.desk.transition(receipt.protocol, State.AWAITING_CITIZEN, STAFF, "falta local")
    deadlines = {d.purpose: d for d in await balcao.desk.deadlines(receipt.protocol)}
    assert deadlines["response"].paused
    assert deadlines["complementation"].due_on == dt.date(2026, 12, 21)
    balcao.clock.advance(days=5)
    await balcao.desk.add_message(receipt.protocol, "Foi no bloco B.", channel="fake")
    after = {d.purpose: d for d in await balcao.desk.deadlines(receipt.protocol)}
    assert set(after) == {"response"}
    assert after["response"].due_on == dt.date(2027, 1, 5)  # 31 Dec + 5 paused days
    assert (await balcao.desk.get(receipt.protocol)).state is State.TRIAGE
    await balcao.desk.transition(receipt.protocol, State.AWAITING_CITIZEN, STAFF, "de novo")
    second = {d.purpose: d for d in await balcao.desk.deadlines(receipt.protocol)}
    assert not second["response"].paused


async def test_unanswered_complementation_archives_the_manifestation(
    make_balcao,  # type: ignore[no-untyped-def]
) -> None:
    recorder = Recorder()
    b = await make_balcao(plugins=[("recorder", recorder)])
    receipt = await b.manifestation()
    await b.desk.transition(receipt.protocol, State.AWAITING_CITIZEN, STAFF, "falta local")
    b.clock.set(dt.datetime(2026, 12, 22, 9, 0))
    await b.run_worker()
    assert (await b.desk.get(receipt.protocol)).state is State.ARCHIVED
    overdue = [e for e in recorder.events if isinstance(e, DeadlineOverdue)]
    assert [e.purpose for e in overdue] == ["complementation"]


async def test_deadline_near_and_overdue_are_raised_once_each(
    make_balcao,  # type: ignore[no-untyped-def]
) -> None:
    recorder = Recorder()
    b = await make_balcao(plugins=[("recorder", recorder)])
    receipt = await b.manifestation()
    b.clock.set(dt.datetime(2026, 12, 28, 9, 0))
    await b.run_worker()
    b.clock.advance(minutes=30)
    await b.run_worker()
    near = [e for e in recorder.events if isinstance(e, DeadlineNear)]
    assert [(e.protocol, e.due_on) for e in near] == [(receipt.protocol, dt.date(2026, 12, 31))]
    b.clock.set(dt.datetime(2027, 1, 4, 9, 0))
    await b.run_worker()
    b.clock.advance(hours=1)
    await b.run_worker()
    assert len([e for e in recorder.events if isinstance(e, DeadlineOverdue)]) == 1


async def test_forward_starts_the_unit_deadline(balcao: Balcao) -> None:
    receipt = await balcao.manifestation()
    await balcao.desk.forward(receipt.protocol, "PRAE", "extrato para a unidade", STAFF)
    found = await balcao.desk.get(receipt.protocol)
    assert (found.state, found.unit_code) == (State.FORWARDED, "PRAE")
    unit = [d for d in await balcao.desk.deadlines(receipt.protocol) if d.purpose == "unit"]
    assert unit[0].due_on == dt.date(2026, 12, 21)
    await balcao.desk.transition(receipt.protocol, State.UNIT_ANSWERED, STAFF, "resposta")
    purposes = {d.purpose for d in await balcao.desk.deadlines(receipt.protocol)}
    assert purposes == {"response"}
