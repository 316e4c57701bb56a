"""New citizens' messages on one's own cases, for the page to show without reloading."""

from __future__ import annotations

from balcao.testing import Balcao

from .conftest import create_user, login, post_form


async def test_new_messages_on_my_cases_only(staff: Balcao) -> None:
    ana, _ = await staff.user("atendente", email="ana@ufmt.br", password="uma-senha-longa-de-teste")
    ouvidor, _ = await staff.user("ouvidor")
    mine = await staff.manifestation("Problema no ônibus")
    other = await staff.manifestation("Problema na biblioteca")
    await staff.desk.assign(mine.protocol, ana.user_id, ouvidor)
    await login(staff, "ana@ufmt.br")
    first = (await staff.client.get("/staff/novidades")).json()
    assert (first["total"], first["cases"]) == (0, [])  # what exists already is not news
    await staff.desk.add_message(mine.protocol, "Mais um detalhe", channel="fake")
    await staff.desk.add_message(mine.protocol, "E outro", channel="fake")
    await staff.desk.add_message(other.protocol, "Sobre a biblioteca", channel="fake")
    news = (await staff.client.get(f"/staff/novidades?desde={first['since']}")).json()
    assert news["total"] == 2
    assert news["cases"] == [
        {"protocol": mine.protocol, "count": 2, "url": f"/staff/manifestacoes/{mine.protocol}"}
    ]
    again = (await staff.client.get(f"/staff/novidades?desde={news['since']}")).json()
    assert again["total"] == 0
    page = await staff.client.get("/staff")
    assert 'id="novidades"' in page.text and "/static/staff/novidades.js" in page.text


async def test_a_unit_member_is_told_nothing_of_citizens_messages(staff: Balcao) -> None:
    await create_user(staff, "unidade@ufmt.br", "unidade", unit="PRAE")
    ouvidor, _ = await staff.user("ouvidor")
    case = await staff.manifestation("Reclamação")
    await staff.desk.forward(case.protocol, "PRAE", "Extrato", ouvidor)
    await login(staff, "unidade@ufmt.br")
    since = (await staff.client.get("/staff/novidades")).json()["since"]
    await staff.desk.add_message(case.protocol, "Texto do cidadão", channel="fake")
    news = (await staff.client.get(f"/staff/novidades?desde={since}")).json()
    assert (news["total"], news["cases"]) == (0, [])


async def test_the_digest_is_off_without_an_email_channel(staff: Balcao) -> None:
    await create_user(staff, "ana@ufmt.br", "atendente")
    await login(staff, "ana@ufmt.br")
    account = await staff.client.get("/staff/conta")
    assert "Indisponível: este balcão não tem o canal de e-mail configurado" in account.text
    assert 'name="digest" value="sim" disabled' in account.text
    await post_form(staff, "/staff/conta/resumo", {"digest": "sim"})
    assert 'value="sim" checked' not in (await staff.client.get("/staff/conta")).text
