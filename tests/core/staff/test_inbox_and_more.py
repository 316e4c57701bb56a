"""Inbox search and filters, units CSV import, reports, LGPD and login protection."""

from __future__ import annotations

import csv
import io

from balcao import Citizen, State
from balcao.testing import Balcao

from .conftest import PASSWORD, create_user, csrf, login


async def _ouvidor(balcao: Balcao) -> dict[str, str]:
    return {**(await balcao.user("ouvidor"))[1], "x-csrftoken": await csrf(balcao)}


def _protocols(html: str) -> set[str]:
    import re

    return set(re.findall(r'href="/staff/manifestacoes/(\d{4}-\d{6})"', html))


async def test_search_is_accent_insensitive_and_filters_combine(balcao: Balcao) -> None:
    meal = await balcao.manifestation("Reclamação: a refeição do RU estava fria.")
    bus = await balcao.manifestation("O ônibus do campus atrasou.", kind="sugestao")
    headers = await _ouvidor(balcao)
    for query, expected in (
        ("reclamacao", {meal.protocol}),
        ("REFEIÇÃO fria", {meal.protocol}),
        ("onibus", {bus.protocol}),
        ("ru", {meal.protocol}),
        (bus.protocol, {bus.protocol}),
        ("inexistente", set()),
    ):
        page = await balcao.client.get("/staff", params={"q": query}, headers=headers)
        assert _protocols(page.text) == expected, query
    by_kind = await balcao.client.get("/staff", params={"tipo": "sugestao"}, headers=headers)
    assert _protocols(by_kind.text) == {bus.protocol}
    actor, _ = await balcao.user("atendente")
    await balcao.desk.assign(meal.protocol, actor.user_id, actor)
    mine = await balcao.client.get(
        "/staff", params={"responsavel": str(actor.user_id)}, headers=headers
    )
    assert _protocols(mine.text) == {meal.protocol}
    nobody = await balcao.client.get("/staff", params={"responsavel": "ninguem"}, headers=headers)
    assert _protocols(nobody.text) == {bus.protocol}
    soon = await balcao.client.get("/staff", params={"vence_em": "5"}, headers=headers)
    assert _protocols(soon.text) == set()
    later = await balcao.client.get("/staff", params={"vence_em": "40"}, headers=headers)
    assert _protocols(later.text) == {meal.protocol, bus.protocol}
    balcao.clock.advance(minutes=60 * 24 * 45)
    late = await balcao.client.get("/staff", params={"atrasadas": "1"}, headers=headers)
    assert _protocols(late.text) == {meal.protocol, bus.protocol}


async def test_counts_per_state(balcao: Balcao) -> None:
    first = await balcao.manifestation("Primeira")
    await balcao.manifestation("Segunda")
    actor, _ = await balcao.user("ouvidor")
    await balcao.desk.transition(first.protocol, State.ANSWERED, actor, "ok")
    page = await balcao.client.get("/staff", headers=await _ouvidor(balcao))
    assert 'Em triagem <span class="n">1</span>' in page.text
    assert 'Respondida ao cidadão <span class="n">1</span>' in page.text
    assert 'Todas <span class="n">2</span>' in page.text


async def test_units_csv_import_is_all_or_nothing(balcao: Balcao) -> None:
    headers = await _ouvidor(balcao)
    bad = "codigo,nome,email,superior\nPRAE,Pró-reitoria,prae@ufmt.br,\n,Sem código,,\n"
    response = await balcao.client.post(
        "/staff/unidades/importar", files={"file": ("u.csv", bad.encode())}, headers=headers
    )
    assert response.status_code == 422
    assert "linha 3" in response.text
    units = await balcao.client.get("/api/v1/units", headers=headers)
    assert units.json() == []
    good = "codigo;nome;email;superior\nPRAE;Pró-reitoria;prae@ufmt.br;\nCRU;Restaurante;;PRAE\n"
    response = await balcao.client.post(
        "/staff/unidades/importar", files={"file": ("u.csv", good.encode())}, headers=headers
    )
    assert response.status_code == 200
    assert "2 unidade(s)" in response.text
    codes = {
        (u["code"], u["parent"])
        for u in (await balcao.client.get("/api/v1/units", headers=headers)).json()
    }
    assert codes == {("PRAE", None), ("CRU", "PRAE")}


async def test_report_counts_and_csv_match(balcao: Balcao) -> None:
    first = await balcao.manifestation("Uma", kind="elogio")
    await balcao.manifestation("Duas")
    actor, _ = await balcao.user("ouvidor")
    balcao.clock.advance(minutes=60 * 24 * 8)
    await balcao.desk.transition(first.protocol, State.ANSWERED, actor, "resposta")
    headers = await _ouvidor(balcao)
    page = await balcao.client.get("/staff/relatorios", params={"ano": "2026"}, headers=headers)
    assert "<svg" in page.text
    assert "Elogio" in page.text
    data = await balcao.client.get("/staff/relatorios.csv", params={"ano": "2026"}, headers=headers)
    rows = {
        (r["grupo"], r["item"]): r["valor"]
        for r in csv.DictReader(io.StringIO(data.content.decode("utf-8-sig")))
    }
    assert rows[("total", "manifestações")] == "2"
    assert rows[("tipo", "elogio")] == "1"
    assert rows[("tipo", "reclamacao")] == "1"
    assert rows[("mes", "dez")] == "2"
    assert rows[("resposta", "respondidas")] == "1"
    assert rows[("resposta", "media_dias")] == "8.0"


async def test_lgpd_export_and_anonymise(balcao: Balcao) -> None:
    citizen = Citizen(name="Rita Lopes", email="rita@example.org")
    one = await balcao.manifestation("Eu, Rita Lopes, reclamo do RU.", citizen=citizen)
    two = await balcao.manifestation("Outra queixa da Rita.", citizen=citizen)
    other = await balcao.manifestation("De outra pessoa.")
    headers = await _ouvidor(balcao)
    url = f"/staff/manifestacoes/{one.protocol}/lgpd"
    exported = await balcao.client.post(
        f"{url}/exportar", data={"reason": "pedido"}, headers=headers
    )
    body = exported.json()
    assert {m["protocol"] for m in body["manifestations"]} == {one.protocol, two.protocol}
    assert body["manifestations"][0]["citizen"]["email"] == "rita@example.org"
    assert other.protocol not in exported.text
    done = await balcao.client.post(
        f"{url}/anonimizar", data={"reason": "pedido do titular", "confirm": "1"}, headers=headers
    )
    assert done.status_code == 200
    actor, _ = await balcao.user("ouvidor")
    assert await balcao.desk.reveal_identity(two.protocol, actor, "conferir") is None
    assert "Rita" not in (await balcao.desk.get(one.protocol)).description
    log = await balcao.client.get("/staff/auditoria.csv?acao=lgpd_anonymise", headers=headers)
    assert two.protocol in log.text


async def test_login_locks_after_repeated_failures(balcao: Balcao) -> None:
    await create_user(balcao, "bia@ufmt.br", "atendente")
    for _ in range(4):
        assert (await login(balcao, "bia@ufmt.br", "errada-errada")).status_code == 401
    locked = await login(balcao, "bia@ufmt.br", "errada-errada")
    assert "bloqueada" in locked.text
    still = await login(balcao, "bia@ufmt.br")
    assert still.status_code == 401
    assert "bloqueada" in still.text
    balcao.clock.advance(minutes=16)
    assert (await login(balcao, "bia@ufmt.br")).status_code == 200


async def test_session_cookie_is_httponly_samesite_and_secure_over_https(
    make_balcao: object,
) -> None:
    balcao = await make_balcao(settings={"public_url": "https://ouvidoria.ufmt.br"})  # type: ignore[operator]
    await create_user(balcao, "caio@ufmt.br", "auditor")
    form = await balcao.client.get("https://testserver.local/staff/entrar")
    token = form.text.split('name="_csrf_token" value="')[1].split('"')[0]
    response = await balcao.client.post(
        "https://testserver.local/staff/entrar",
        data={"email": "caio@ufmt.br", "password": PASSWORD, "_csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("balcao_staff=")
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "secure" in cookie
    forged = await balcao.client.post(
        "https://testserver.local/staff/entrar",
        data={"email": "caio@ufmt.br", "password": PASSWORD},
        follow_redirects=False,
    )
    assert forged.status_code == 403  # no CSRF token: refused
