"""The inbox past its count cap, and the order by deadline across pages: what staff see
when the office holds more cases than a count should read."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import insert, select, update

from balcao._db.models import DeadlineRow, ManifestationRow
from balcao._services.queries import COUNT_CAP, Filters, list_manifestations
from balcao.testing import Balcao


def _case(i: int, at: dt.datetime, state: str, unit: str | None) -> dict[str, object]:
    return {
        "id": 1000 + i,
        "protocol": f"2025-{900000 + i}",
        "year": 2025,
        "sequence": 900000 + i,
        "kind": "reclamacao",
        "channel": "webform",
        "state": state,
        "subject": "Bolsa",
        "description": "Bolsa atrasada",
        "search_text": "bolsa atrasada",
        "created_at": at - dt.timedelta(minutes=i),
        "updated_at": at,
        "unit_code": unit,
    }


async def _many(balcao: Balcao, n: int, state: str, unit: str | None = None) -> None:
    at = balcao.desk.now() - dt.timedelta(days=400)
    async with balcao.desk.database.write() as session:
        await session.execute(
            insert(ManifestationRow), [_case(i, at, state, unit) for i in range(n)]
        )


async def test_counts_past_the_cap_say_more_than_and_pages_still_move(balcao: Balcao) -> None:
    await _many(balcao, COUNT_CAP + 5, "closed")
    recent = await balcao.manifestation("Refeição fria no restaurante")
    ouvidor = (await balcao.user("ouvidor"))[1]
    inbox = await balcao.client.get("/staff", headers=ouvidor)
    assert f'Todas <span class="n">mais de {COUNT_CAP}</span>' in inbox.text
    assert f'Concluída <span class="n">mais de {COUNT_CAP}</span>' in inbox.text
    assert f"Mais de {COUNT_CAP} manifestações" in inbox.text
    assert "<span>Página 1</span>" in inbox.text
    assert "pagina=2" in inbox.text
    assert recent.protocol in inbox.text  # the newest first, as always
    last = await balcao.client.get(f"/staff?pagina={(COUNT_CAP + 6) // 25 + 1}", headers=ouvidor)
    assert "Próxima" not in last.text
    # a state under the cap keeps its exact count and its number of pages
    triage = await balcao.client.get("/staff?estado=triage", headers=ouvidor)
    assert "<span>Página 1 de 1</span>" in triage.text
    assert recent.protocol in triage.text


async def test_a_unit_counts_only_its_own_cases_past_anyone_elses_cap(balcao: Balcao) -> None:
    await _many(balcao, COUNT_CAP + 5, "forwarded", unit="DCE")
    ouvidor = (await balcao.user("ouvidor"))[0]
    ours = await balcao.manifestation("Bolsa atrasada")
    await balcao.desk.forward(ours.protocol, "PRAE", "Extrato", ouvidor)
    unit = (await balcao.user("unidade", unit="PRAE"))[1]
    inbox = await balcao.client.get("/staff", headers=unit)
    assert 'Todas <span class="n">1</span>' in inbox.text
    assert "mais de" not in inbox.text
    assert re.findall(r"/staff/manifestacoes/([\d-]+)", inbox.text) == [ours.protocol]


async def test_deadline_order_runs_from_the_nearest_open_one_to_the_cases_without(
    balcao: Balcao,
) -> None:
    cases = [await balcao.manifestation(f"Caso número {n}") for n in range(5)]
    today = balcao.desk.today()
    async with balcao.desk.database.write() as session:
        protocols = [c.protocol for c in cases]
        found = await session.execute(
            select(ManifestationRow.protocol, ManifestationRow.id).where(
                ManifestationRow.protocol.in_(protocols)
            )
        )
        by_protocol = {protocol: case_id for protocol, case_id in found.all()}
        ids = [by_protocol[p] for p in protocols]
        # the last case gets a second, nearer open deadline: its nearest one counts
        await session.execute(
            insert(DeadlineRow).values(
                manifestation_id=ids[4], purpose="unit", started_on=today, due_on=today
            )
        )
        # the first two are answered: no open deadline, so they come last, oldest first
        done = DeadlineRow.manifestation_id.in_(ids[:2])
        await session.execute(update(DeadlineRow).where(done).values(met_at=balcao.desk.now()))
    listed = []
    async with balcao.desk.database.read() as session:
        for page in (1, 2, 3):
            filters = Filters(order="deadline", per_page=2, page=page)
            found = await list_manifestations(session, filters, today)
            listed.append([m.id for m in found.items])
    assert listed == [[ids[4], ids[2]], [ids[3], ids[0]], [ids[1]]]
