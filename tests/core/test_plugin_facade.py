"""The plugin facade: a plugin's own storage, the read model, duplicates, vetoes outside the
write transaction."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
import sqlalchemy as sa

from balcao import (
    Actor,
    CaseRecord,
    DuplicateMessage,
    Kind,
    Manifestation,
    NewManifestation,
    OutsideStorage,
    PluginDesk,
    State,
    TransitionConflict,
    UnreadableSecret,
    Veto,
    hookimpl,
)
from balcao.testing import Balcao

STAFF = Actor(kind="user", name="atendente@example.org", role="atendente")
NOTES = sa.Table(
    "demo_notes",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
)
CORE_TABLE = sa.table("manifestations", sa.column("protocol"))


async def _with_demo_table(balcao: Balcao) -> None:
    async with balcao.desk.database.engine.begin() as connection:
        await connection.run_sync(NOTES.create)


async def test_a_plugin_storage_reaches_its_own_tables(balcao: Balcao) -> None:
    await _with_demo_table(balcao)
    storage = balcao.desk.storage("demo")
    async with storage.write() as session:
        await session.execute(sa.insert(NOTES).values(text="lembrete"))
    async with storage.read() as session:
        assert (await session.scalars(sa.select(NOTES.c.text))).all() == ["lembrete"]
    assert storage.dialect == balcao.desk.database.dialect


async def test_a_plugin_storage_refuses_the_core_tables_naming_them(balcao: Balcao) -> None:
    await balcao.manifestation()
    storage = balcao.desk.storage("demo")
    with pytest.raises(OutsideStorage, match=r"'manifestations'.*'demo_'"):
        async with storage.read() as session:
            await session.execute(sa.select(CORE_TABLE.c.protocol))
    with pytest.raises(OutsideStorage, match="'manifestations'"):
        async with storage.write() as session:
            await session.execute(sa.update(CORE_TABLE).values(protocol="x"))
    with pytest.raises(OutsideStorage, match="texto"):
        async with storage.read() as session:
            await session.execute(sa.text("SELECT protocol FROM manifestations"))
    # nothing was changed, and the core's own sessions are not restricted afterwards
    async with balcao.desk.database.read() as session:
        assert "x" not in (await session.scalars(sa.select(CORE_TABLE.c.protocol))).all()


async def test_the_read_model_streams_cases_without_identity(balcao: Balcao) -> None:
    first = await balcao.manifestation("O ônibus não passou.", subject="Transporte")
    second = await balcao.manifestation("Falta luz na sala 3.")
    await balcao.desk.transition(second.protocol, State.ANSWERED, STAFF, "respondida")
    start, end = balcao.desk.now() - dt.timedelta(days=1), balcao.desk.now() + dt.timedelta(days=1)

    model = balcao.desk.read_model
    records = [r async for r in model.cases(start, end)]
    assert [r.protocol for r in records] == [first.protocol, second.protocol]
    assert all(isinstance(r, CaseRecord) and r.description == "" for r in records)
    assert records[1].state is State.ANSWERED and records[1].answered_at is not None
    assert records[0].due_on is not None and records[0].kind is Kind.RECLAMACAO
    full = [r async for r in model.cases(start, end, with_text=True)]
    assert full[0].subject == "Transporte" and full[0].pseudonym.startswith("Manifestante ")
    assert "Maria" not in repr(full)
    assert await model.count(start, end) == 2
    assert await model.count(end, end + dt.timedelta(days=1)) == 0


async def test_intake_of_an_already_recorded_external_id_names_the_case(balcao: Balcao) -> None:
    new = NewManifestation(
        kind=Kind.SUGESTAO, channel="fake", description="Mais bancos no pátio.", external_id="m-1"
    )
    receipt = await balcao.desk.intake(new)
    with pytest.raises(DuplicateMessage) as raised:
        await balcao.desk.intake(new)
    assert raised.value.protocol == receipt.protocol and raised.value.external_id == "m-1"
    assert receipt.protocol in str(raised.value)


class NotesWhileAsked:
    """A veto that writes (a note) while it is asked: it must not wait for a write lock
    held by the transition itself."""

    def __init__(self, desk_ref: list[object]) -> None:
        self.desk_ref = desk_ref

    @hookimpl
    async def balcao_validate_transition(self, manifestation: Manifestation) -> Veto | None:
        desk = self.desk_ref[0]
        await desk.note(manifestation.protocol, "conferido pelo plugin", STAFF)  # type: ignore[attr-defined]
        return None


async def test_vetoes_are_asked_before_the_write_transaction(
    make_balcao, recording_channel
) -> None:  # type: ignore[no-untyped-def]
    ref: list[object] = []
    balcao = await make_balcao(
        plugins=[(recording_channel.name, recording_channel), ("notes", NotesWhileAsked(ref))]
    )
    ref.append(balcao.desk)
    receipt = await balcao.manifestation()
    moved = await asyncio.wait_for(
        balcao.desk.transition(receipt.protocol, State.ANSWERED, STAFF, "respondida"), 20
    )
    assert moved.state is State.ANSWERED


class MovesMeanwhile:
    """While it is asked, someone else asks the citizen for more information."""

    def __init__(self, desk_ref: list[object]) -> None:
        self.desk_ref, self.busy = desk_ref, False

    @hookimpl
    async def balcao_validate_transition(
        self, manifestation: Manifestation, target: State
    ) -> Veto | None:
        if target is State.ANSWERED and not self.busy:
            self.busy = True
            desk = self.desk_ref[0]
            await desk.transition(  # type: ignore[attr-defined]
                manifestation.protocol, State.AWAITING_CITIZEN, STAFF, "falta o endereço"
            )
        return None


async def test_a_case_changed_while_vetoes_were_asked_is_a_conflict(
    make_balcao, recording_channel
) -> None:  # type: ignore[no-untyped-def]
    ref: list[object] = []
    balcao = await make_balcao(
        plugins=[(recording_channel.name, recording_channel), ("meanwhile", MovesMeanwhile(ref))]
    )
    ref.append(balcao.desk)
    receipt = await balcao.manifestation()
    with pytest.raises(TransitionConflict, match="recarregue"):
        await balcao.desk.transition(receipt.protocol, State.ANSWERED, STAFF, "respondida")
    assert (await balcao.desk.get(receipt.protocol)).state is State.AWAITING_CITIZEN


async def test_detached_sealing_opens_only_for_its_purpose(balcao: Balcao) -> None:
    receipt, other = balcao.desk.sealer("demo.receipt"), balcao.desk.sealer("demo.other")
    token = receipt.seal_detached("2026-000001")
    assert "2026-000001" not in token
    assert receipt.open_detached(token) == b"2026-000001"
    with pytest.raises(UnreadableSecret):
        other.open_detached(token)
    with pytest.raises(UnreadableSecret):
        receipt.open_detached(token[:-4] + "AAAA")
    # a token sealed before per-purpose keys (a cookie issued by an older version) still opens
    legacy = balcao.desk.keys.encrypt(b"antigo")
    assert receipt.open_detached(legacy) == b"antigo"


async def test_the_desk_is_a_plugin_desk_and_a_partial_one_is_not(balcao: Balcao) -> None:
    # Litestar refuses a route's dependency that fails this check, so a wrong answer would
    # break every plugin route; a cached answer must not let a class without a member pass
    assert isinstance(balcao.desk, PluginDesk)
    assert isinstance(balcao.desk, PluginDesk)  # the remembered answer

    class Partial:
        def today(self) -> dt.date:
            return dt.date(2026, 1, 1)

    assert not isinstance(Partial(), PluginDesk)
    assert not isinstance(Partial(), PluginDesk)
