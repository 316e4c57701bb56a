"""The promise to a denunciante, tried as an insider of each role would: a unit's search
reaches only the extract it was sent; the forward check tells nobody but the ouvidor whose
name is in a text; a merge never shows one citizen's text to another; an anonymous case
offers no identity to reveal; a unit sees no routing reason nor channel data."""

from __future__ import annotations

import re
from typing import Any

from balcao import Citizen, Kind, Manifestation, RoutingDecision, RoutingRuleSpec, hookimpl
from balcao.testing import Balcao

from .conftest import csrf

RELATO = (
    "Eu, Joana Quintanilha Barbosa, aluna do curso de química, denuncio o professor "
    "responsável pelo laboratório de síntese por cobrar taxas indevidas."
)
EXTRACT = "{pseudonym} relata cobrança de taxas indevidas no laboratório de síntese."


async def _unit(balcao: Balcao, code: str) -> None:
    await balcao.client.post(
        "/api/v1/units",
        json={"code": code, "name": f"Unidade {code}"},
        headers=(await balcao.user("ouvidor"))[1],
    )


async def _forwarded_denuncia(balcao: Balcao) -> str:
    citizen = Citizen(name="Joana Quintanilha Barbosa", email="joana@ufmt.br")
    receipt = await balcao.manifestation(RELATO, kind=Kind.DENUNCIA, citizen=citizen)
    await _unit(balcao, "PROEG")
    ouvidor, _ = await balcao.user("ouvidor")
    pseudonym = (await balcao.desk.get(receipt.protocol)).pseudonym
    await balcao.desk.forward(
        receipt.protocol, "PROEG", EXTRACT.format(pseudonym=pseudonym), ouvidor
    )
    return receipt.protocol


def _protocols(text: str) -> set[str]:
    return set(re.findall(r"\d{4}-\d{6}", text))


async def test_a_unit_searches_only_the_extract_it_was_sent(balcao: Balcao) -> None:
    protocol = await _forwarded_denuncia(balcao)
    _, unit = await balcao.user("unidade", unit="PROEG")
    _, office = await balcao.user("atendente")
    for word, found in (("Quintanilha", False), ("quimica", False), ("cobranca", True)):
        api = await balcao.client.get(f"/api/v1/manifestations?q={word}", headers=unit)
        page = await balcao.client.get(f"/staff?q={word}", headers=unit)
        assert api.status_code == page.status_code == 200
        assert (api.json()["total"] == 1) == found, word
        assert (protocol in _protocols(page.text)) == found, word
    # The office still searches the citizen's own text.
    office_search = await balcao.client.get("/api/v1/manifestations?q=Quintanilha", headers=office)
    assert office_search.json()["total"] == 1


async def test_a_unit_lists_no_routing_reason_nor_channel_data(balcao: Balcao) -> None:
    protocol = await _forwarded_denuncia(balcao)
    await balcao.desk.transition(protocol, "unit_answered", (await balcao.user("ouvidor"))[0])
    await balcao.desk.transition(protocol, "triage", (await balcao.user("ouvidor"))[0])
    _, unit = await balcao.user("unidade", unit="PROEG")
    listing = await balcao.client.get("/api/v1/manifestations", headers=unit)
    detail = await balcao.client.get(f"/api/v1/manifestations/{protocol}", headers=unit)
    for item in (listing.json()["items"][0], detail.json()["manifestation"]):
        assert item["protocol"] == protocol
        assert item.get("routing_reason") is None
        assert item.get("routed_by") is None
        assert item.get("extra", {}) == {}
        assert item["description"] == item["subject"] == ""


def _candidates(count: int) -> str:
    syllables = ["ba", "ce", "di", "fo", "gu", "la", "me", "ni", "po", "ru", "sa", "te"]
    names = []
    for i in range(count):
        a, b, c = i % 12, (i // 12) % 12, (i // 144) % 12
        names.append((syllables[a] + syllables[b] + syllables[c] + "ndes").title())
    return " ".join(names)


def _same(first: Any, second: Any, true: str, false: str) -> None:
    def cleaned(response: Any, word: str) -> str:
        text = re.sub(r'name="_csrf_token" value="[^"]+"', "", response.text)
        return text.replace(word, "NOME")

    assert first.status_code == second.status_code
    assert cleaned(first, true) == cleaned(second, false)


async def test_the_forward_check_tells_an_attendant_nothing_about_the_name(
    balcao: Balcao,
) -> None:
    citizen = Citizen(name="Joana Quintanilha Barbosa", email="joana@ufmt.br")
    denuncia = await balcao.manifestation(RELATO, kind=Kind.DENUNCIA, citizen=citizen)
    reclamacao = await balcao.manifestation("O ônibus atrasou.", citizen=citizen)
    await _unit(balcao, "PROEG")
    _, auth = await balcao.user("atendente")
    headers = {**auth, "x-csrftoken": await csrf(balcao)}
    names = _candidates(3000)
    true_text, false_text = f"{names} Quintanilha", f"{names} Vasconcelos"
    for protocol, unit in ((denuncia.protocol, "PROEG"), (reclamacao.protocol, "NENHUMA")):
        url = f"/staff/manifestacoes/{protocol}/encaminhar"
        answers = [
            await balcao.client.post(url, data={"unit": unit, "text": t}, headers=headers)
            for t in (true_text, false_text)
        ]
        _same(*answers, "Quintanilha", "Vasconcelos")
        assert "nome do manifestante" not in answers[0].text
        api = [
            await balcao.client.post(
                f"/api/v1/manifestations/{protocol}/forward",
                json={"unit": unit, "text": t},
                headers=auth,
            )
            for t in (true_text, false_text)
        ]
        _same(*api, "Quintanilha", "Vasconcelos")
    # A denúncia is forwarded by the ouvidor only; nothing moved.
    assert answers[0].status_code in (403, 422)
    assert (await balcao.desk.get(denuncia.protocol)).unit_code is None


async def test_the_ouvidor_keeps_the_name_check(balcao: Balcao) -> None:
    citizen = Citizen(name="Joana Quintanilha Barbosa", email="joana@ufmt.br")
    denuncia = await balcao.manifestation(RELATO, kind=Kind.DENUNCIA, citizen=citizen)
    await _unit(balcao, "PROEG")
    _, auth = await balcao.user("ouvidor")
    headers = {**auth, "x-csrftoken": await csrf(balcao)}
    url = f"/staff/manifestacoes/{denuncia.protocol}/encaminhar"
    leaky = await balcao.client.post(
        url, data={"unit": "PROEG", "text": "A Quintanilha relata"}, headers=headers
    )
    assert leaky.status_code == 422
    assert "nome do manifestante" in leaky.text
    log = await balcao.client.get(
        f"/api/v1/audit?protocol={denuncia.protocol}&action=extract_prechecked", headers=auth
    )
    assert len(log.json()) == 1


async def _track(balcao: Balcao, protocol: str, code: str | None) -> str:
    response = await balcao.client.post(
        "/api/v1/tracking", json={"protocol": protocol, "access_code": code}
    )
    assert response.status_code == 200
    return response.text


async def test_a_merge_never_shows_one_citizens_text_to_another(balcao: Balcao) -> None:
    ana = Citizen(name="Ana Prado", email="ana@ufmt.br")
    bruno = Citizen(name="Bruno Lemos", email="bruno@ufmt.br")
    mine = await balcao.manifestation("Minha reclamação sobre o RU.", citizen=ana)
    theirs = await balcao.manifestation("Segredo de Bruno sobre o RU.", citizen=bruno)
    ouvidor, _ = await balcao.user("ouvidor")
    await balcao.desk.merge(theirs.protocol, mine.protocol, ouvidor)
    assert "Segredo de Bruno" not in await _track(balcao, mine.protocol, mine.access_code)
    page = await balcao.client.get(
        f"/staff/manifestacoes/{mine.protocol}", headers=(await balcao.user("atendente"))[1]
    )
    assert "Segredo de Bruno" in page.text  # the office still reads it


async def test_a_denuncia_merges_only_with_a_denuncia_and_only_by_the_ouvidor(
    balcao: Balcao,
) -> None:
    ana = Citizen(name="Ana Prado", email="ana@ufmt.br")
    bruno = Citizen(name="Bruno Lemos", email="bruno@ufmt.br")
    claim = await balcao.manifestation("Minha reclamação sobre o RU.", citizen=ana)
    report = await balcao.manifestation(
        "Denúncia de Bruno: desvio no RU.", kind=Kind.DENUNCIA, citizen=bruno
    )
    other = await balcao.manifestation(
        "Outra denúncia: desvio no RU.", kind=Kind.DENUNCIA, citizen=ana
    )
    token = await csrf(balcao)
    _, office = await balcao.user("atendente")
    _, chief = await balcao.user("ouvidor")

    async def merge(auth: dict[str, str], source: str, into: str) -> Any:
        return await balcao.client.post(
            f"/staff/manifestacoes/{source}/mesclar",
            data={"into": into},
            headers={**auth, "x-csrftoken": token},
        )

    assert (await merge(office, report.protocol, claim.protocol)).status_code in (403, 422)
    assert (await merge(office, report.protocol, other.protocol)).status_code in (403, 422)
    assert (await merge(chief, report.protocol, claim.protocol)).status_code == 422
    assert "Denúncia de Bruno" not in await _track(balcao, claim.protocol, claim.access_code)
    assert (await merge(chief, report.protocol, other.protocol)).status_code == 200
    assert "Denúncia de Bruno" not in await _track(balcao, other.protocol, other.access_code)


async def test_an_anonymous_case_offers_no_identity_and_audits_no_view(balcao: Balcao) -> None:
    receipt = await balcao.manifestation(
        "Denúncia anônima sobre o almoxarifado.", kind=Kind.DENUNCIA, anonymous=True
    )
    _, auth = await balcao.user("ouvidor")
    page = await balcao.client.get(f"/staff/manifestacoes/{receipt.protocol}", headers=auth)
    assert page.status_code == 200
    assert "Ver identidade" not in page.text
    form = await balcao.client.post(
        f"/staff/manifestacoes/{receipt.protocol}/identidade",
        data={"reason": "apuração"},
        headers={**auth, "x-csrftoken": await csrf(balcao)},
    )
    api = await balcao.client.post(
        f"/api/v1/manifestations/{receipt.protocol}/identity",
        json={"reason": "apuração"},
        headers=auth,
    )
    assert (form.status_code, api.status_code) == (403, 403)
    log = await balcao.client.get(
        f"/api/v1/audit?protocol={receipt.protocol}&action=identity_view", headers=auth
    )
    assert log.json() == []


class _ForwardEverything:
    """A plugin whose routing rule sends every case straight to PROEG, as confidential."""

    @hookimpl
    def balcao_register_routing_rules(self) -> list[RoutingRuleSpec]:
        async def proeg(draft: Manifestation) -> RoutingDecision | None:
            return RoutingDecision(reason="sigilosa", forward_to="PROEG", confidential=True)

        return [RoutingRuleSpec(name="proeg", priority=1, evaluate=proeg)]


async def test_a_rule_forwards_a_confidential_case_only_as_a_pseudonymized_extract(
    make_balcao: Any,
) -> None:
    balcao = await make_balcao(plugins=[("regras", _ForwardEverything())])
    citizen = Citizen(name="Joana Quintanilha Barbosa", email="joana@ufmt.br")
    receipt = await balcao.manifestation(RELATO, citizen=citizen)
    _, unit = await balcao.user("unidade", unit="PROEG")
    detail = await balcao.client.get(f"/api/v1/manifestations/{receipt.protocol}", headers=unit)
    assert detail.status_code == 200
    [extract] = [e["text"] for e in detail.json()["timeline"]]
    assert "Quintanilha" not in extract
    assert "taxas indevidas" in extract
    found = await balcao.client.get("/api/v1/manifestations?q=Joana", headers=unit)
    assert found.json()["total"] == 0
