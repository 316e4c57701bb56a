"""The inbox as people work it: saved filters, order by deadline, bulk actions (each case
through the access policy and the transition table), the overdue count in the menu."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import insert, select, update

from balcao import State
from balcao._db.models import DeadlineRow, ManifestationRow
from balcao.testing import Balcao

from .conftest import csrf


async def _headers(balcao: Balcao, role: str, unit: str | None = None) -> dict[str, str]:
    return {**(await balcao.user(role, unit=unit))[1], "x-csrftoken": await csrf(balcao)}


def _listed(html: str) -> list[str]:
    found = re.findall(r'href="/staff/manifestacoes/(\d{4}-\d{6})"', html)
    return list(dict.fromkeys(found))


def _tabs(html: str) -> list[str]:
    nav = html.split('aria-label="Filtros salvos"')[1].split("</nav>")[0]
    return re.findall(r">([^<>]+)</a>", nav)


async def test_saved_filters_are_tabs_and_list_what_they_say(balcao: Balcao) -> None:
    mine = await balcao.manifestation("Bolsa atrasada")
    other = await balcao.manifestation("Biblioteca fechada")
    actor, _ = await balcao.user("atendente")
    headers = await _headers(balcao, "atendente")
    await balcao.desk.assign(mine.protocol, actor.user_id, actor)
    inbox = await balcao.client.get("/staff", headers=headers)
    assert _tabs(inbox.text) == [
        "Todas",
        "Minhas",
        "Vencendo em 5 dias",
        "Aguardando unidade",
        "Atrasadas",
    ]
    minhas = await balcao.client.get("/staff?responsavel=eu", headers=headers)
    assert _listed(minhas.text) == [mine.protocol]
    assert '<a href="/staff?responsavel=eu" aria-current="page">Minhas</a>' in minhas.text
    balcao.clock.advance(days=60)
    late = await balcao.client.get("/staff?atrasadas=1&ordem=prazo", headers=headers)
    assert set(_listed(late.text)) == {mine.protocol, other.protocol}
    assert 'aria-current="page">Atrasadas</a>' in late.text
    unit = await balcao.client.get("/staff", headers=await _headers(balcao, "unidade", "PRAE"))
    assert "Minhas" not in _tabs(unit.text)  # a unit member is never an assignee


async def test_order_by_nearest_deadline_in_lists_and_searches(balcao: Balcao) -> None:
    first = await balcao.manifestation("Refeição fria no RU, primeira vez")
    balcao.clock.advance(days=10)
    second = await balcao.manifestation("Refeição fria no RU, de novo")
    headers = await _headers(balcao, "ouvidor")
    for query in ("", "&q=refeicao"):
        recent = await balcao.client.get(f"/staff?x=1{query}", headers=headers)
        by_due = await balcao.client.get(f"/staff?ordem=prazo{query}", headers=headers)
        assert _listed(recent.text) == [second.protocol, first.protocol], query
        assert _listed(by_due.text) == [first.protocol, second.protocol], query
    assert '<strong aria-current="true">prazo mais próximo</strong>' in by_due.text


async def test_bulk_assign_and_transition_answer_per_case(balcao: Balcao) -> None:
    triaged = await balcao.manifestation("Bolsa atrasada")
    closed_one = await balcao.manifestation("Biblioteca fechada")
    ouvidor, _ = await balcao.user("ouvidor")
    await balcao.desk.transition(closed_one.protocol, State.ANSWERED, ouvidor, "respondida")
    actor, _ = await balcao.user("atendente")
    headers = await _headers(balcao, "atendente")
    picked = [triaged.protocol, closed_one.protocol, "2026-999999"]
    assigned = await balcao.client.post(
        "/staff/lote/atribuir",
        data={"protocolo": picked, "responsavel": str(actor.user_id), "voltar": "/staff?x=1"},
        headers=headers,
    )
    assert assigned.status_code == 200
    assert "2 de 3 manifestações alteradas" in assigned.text
    assert "2026-999999</a>:\n    <strong>não alterada</strong> — não encontrada" in assigned.text
    assert 'href="/staff?x=1"' in assigned.text
    for number in picked[:2]:
        assert (await balcao.desk.get(number)).assignee_id == actor.user_id
    moved = await balcao.client.post(
        "/staff/lote/situacao",
        data={"protocolo": picked[:2], "situacao": "archived", "motivo": "duplicadas"},
        headers=headers,
    )
    assert "1 de 2 manifestações alteradas" in moved.text
    assert "Transição não permitida: de “Respondida ao cidadão” para “Arquivada”" in moved.text
    assert (await balcao.desk.get(triaged.protocol)).state is State.ARCHIVED
    assert (await balcao.desk.get(closed_one.protocol)).state is State.ANSWERED


async def test_bulk_actions_keep_the_access_policy_and_csrf(balcao: Balcao) -> None:
    ours = await balcao.manifestation("Bolsa atrasada")
    theirs = await balcao.manifestation("Restaurante fechado")
    ouvidor, _ = await balcao.user("ouvidor")
    await balcao.desk.forward(ours.protocol, "PRAE", "Extrato", ouvidor)
    await balcao.desk.forward(theirs.protocol, "DCE", "Extrato", ouvidor)
    unit = await _headers(balcao, "unidade", "PRAE")
    data = {"protocolo": [theirs.protocol, "2026-999999", ours.protocol], "situacao": "triage"}
    moved = await balcao.client.post("/staff/lote/situacao", data=data, headers=unit)
    assert moved.status_code == 422
    # another unit's case reads exactly like one that does not exist
    assert moved.text.count("não encontrada") == 2
    assert "a unidade só pode marcar a manifestação como respondida" in moved.text
    assert (await balcao.desk.get(ours.protocol)).state is State.FORWARDED
    refused = await balcao.client.post(
        "/staff/lote/atribuir", data={"protocolo": ours.protocol}, headers=unit
    )
    assert refused.status_code == 403
    office = (await balcao.user("atendente"))[1]
    no_token = await balcao.client.post(
        "/staff/lote/atribuir",
        data={"protocolo": ours.protocol, "responsavel": ""},
        headers=office,
        follow_redirects=False,
    )
    assert no_token.status_code == 403
    too_many = await balcao.client.post(
        "/staff/lote/atribuir",
        data={"protocolo": [f"2026-{n:06d}" for n in range(1, 102)]},
        headers=await _headers(balcao, "atendente"),
    )
    assert too_many.status_code == 422
    assert "Marque de 1 a 100 manifestações" in too_many.text


async def test_overdue_count_in_the_menu_counts_only_what_the_user_may_list(
    balcao: Balcao,
) -> None:
    ours = await balcao.manifestation("Bolsa atrasada")
    theirs = await balcao.manifestation("Restaurante fechado")
    third = await balcao.manifestation("Ônibus atrasado")
    ouvidor, _ = await balcao.user("ouvidor")
    await balcao.desk.forward(ours.protocol, "PRAE", "Extrato", ouvidor)
    await balcao.desk.forward(theirs.protocol, "DCE", "Extrato", ouvidor)
    fresh = await balcao.client.get("/staff", headers=await _headers(balcao, "ouvidor"))
    assert 'class="selo"' not in fresh.text
    balcao.clock.advance(days=60)
    for role, unit, count in (("ouvidor", None, 3), ("auditor", None, 3), ("unidade", "PRAE", 1)):
        page = await balcao.client.get("/staff/conta", headers=await _headers(balcao, role, unit))
        assert f'href="/staff?atrasadas=1" title="Manifestações com prazo vencido">{count} ' in (
            page.text
        ), role

    # a case with two deadlines past counts once; one whose deadlines were met, not at all;
    # the count is what the "Atrasadas" filter lists
    today = balcao.desk.today()
    async with balcao.desk.database.write() as session:
        rows = await session.execute(select(ManifestationRow.protocol, ManifestationRow.id))
        ids = {protocol: case_id for protocol, case_id in rows.all()}
        await session.execute(
            insert(DeadlineRow).values(
                manifestation_id=ids[ours.protocol],
                purpose="unit",
                started_on=today - dt.timedelta(days=20),
                due_on=today - dt.timedelta(days=1),
            )
        )
        met = DeadlineRow.manifestation_id == ids[theirs.protocol]
        await session.execute(update(DeadlineRow).where(met).values(met_at=balcao.desk.now()))
    for role, unit, listed in (
        ("ouvidor", None, {ours.protocol, third.protocol}),
        ("unidade", "PRAE", {ours.protocol}),
        ("unidade", "DCE", set()),
    ):
        headers = await _headers(balcao, role, unit)
        page = await balcao.client.get("/staff?atrasadas=1", headers=headers)
        found = set(re.findall(r"/staff/manifestacoes/([\d-]+)", page.text))
        assert found == listed, role
        badge = f'href="/staff?atrasadas=1" title="Manifestações com prazo vencido">{len(found)} '
        assert (badge in page.text) == bool(found), role


async def test_a_search_under_a_deadline_filter_lists_the_cases_in_range_holding_the_words(
    balcao: Balcao,
) -> None:
    late = await balcao.manifestation("Goteira no bloco de química")
    other_late = await balcao.manifestation("Ônibus atrasado")
    balcao.clock.advance(days=60)
    running = await balcao.manifestation("Goteira na biblioteca central")
    headers = await _headers(balcao, "ouvidor")
    for query, listed in (
        ("atrasadas=1&q=goteira", {late.protocol}),
        ("atrasadas=1&q=onibus", {other_late.protocol}),
        ("vence_em=90&q=goteira", {running.protocol}),
        ("vence_em=90&q=onibus", set()),
        ("q=goteira", {late.protocol, running.protocol}),
    ):
        page = await balcao.client.get(f"/staff?{query}", headers=headers)
        assert set(_listed(page.text)) == listed, query
