"""Citizen text is escaped everywhere; identity only for the ouvidor, every view logged;
a denúncia goes to a unit only as a pseudonymized extract the attendant confirmed."""

from __future__ import annotations

import csv
import io
import re

from balcao import (
    Citizen,
    IncomingFile,
    Manifestation,
    RoutingDecision,
    RoutingRuleSpec,
    State,
    hookimpl,
)
from balcao.testing import Balcao, RecordingChannel

from .conftest import csrf

PAYLOADS = (
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)><circle r=1></circle></svg>",
)


async def _headers(balcao: Balcao, role: str) -> dict[str, str]:
    return {**(await balcao.user(role))[1], "x-csrftoken": await csrf(balcao)}


async def test_citizen_text_is_escaped_on_every_page(balcao: Balcao) -> None:
    payload = " ".join(PAYLOADS)
    text_file = IncomingFile(filename=f"{PAYLOADS[1]}.txt", content=b"conteudo simples")
    receipt = await balcao.manifestation(
        f"Relato {payload}", subject=f"Assunto {PAYLOADS[0]}", files=(text_file,)
    )
    await balcao.desk.add_message(receipt.protocol, PAYLOADS[2], channel="fake")
    headers = await _headers(balcao, "ouvidor")
    pages = [
        "/staff",
        f"/staff?q={PAYLOADS[0]}",
        f"/staff/manifestacoes/{receipt.protocol}",
        f"/staff/manifestacoes/{receipt.protocol}/encaminhar",
        "/staff/auditoria",
        "/staff/relatorios",
    ]
    for url in pages:
        response = await balcao.client.get(url, headers=headers)
        assert response.status_code == 200, url
        for raw in ("<script>", "<img src=x", "<svg onload", 'onerror="'):
            assert raw not in response.text, (url, raw)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
    page = await balcao.client.get(f"/staff/manifestacoes/{receipt.protocol}", headers=headers)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text
    assert "&lt;svg onload=alert(1)&gt;" in page.text


async def test_inline_script_or_style_never_in_staff_templates(balcao: Balcao) -> None:
    receipt = await balcao.manifestation("Texto")
    headers = await _headers(balcao, "ouvidor")
    page = await balcao.client.get(f"/staff/manifestacoes/{receipt.protocol}", headers=headers)
    # scripts only from our own files (the CSP allows no inline code)
    assert re.findall(r"<script(?![^>]*\ssrc=\"/static/)[^>]*>", page.text) == []
    assert re.findall(r"<script[^>]*>[^<]", page.text) == []
    assert "<style" not in page.text
    assert "style=" not in page.text


async def test_only_the_ouvidor_sees_identity_and_each_view_is_logged(balcao: Balcao) -> None:
    citizen = Citizen(name="Joana Pereira", email="joana@example.org", cpf="123.456.789-09")
    receipt = await balcao.manifestation("Denúncia de assédio", kind="denuncia", citizen=citizen)
    url = f"/staff/manifestacoes/{receipt.protocol}"
    for role in ("atendente", "auditor"):
        headers = await _headers(balcao, role)
        page = await balcao.client.get(url, headers=headers)
        assert "Joana" not in page.text
        assert "joana@example.org" not in page.text
        assert (await balcao.desk.get(receipt.protocol)).pseudonym in page.text
        denied = await balcao.client.post(
            f"{url}/identidade",
            data={"reason": "curiosidade"},
            headers=headers,
            follow_redirects=False,
        )
        assert denied.status_code == 403
    ouvidor = await _headers(balcao, "ouvidor")
    missing = await balcao.client.post(f"{url}/identidade", data={"reason": ""}, headers=ouvidor)
    assert missing.status_code == 422
    assert "Joana" not in missing.text
    shown = await balcao.client.post(
        f"{url}/identidade", data={"reason": "apuração pela comissão"}, headers=ouvidor
    )
    assert shown.status_code == 200
    assert "Joana Pereira" in shown.text
    assert shown.headers["cache-control"] == "no-store"
    log = await balcao.client.get(
        f"/staff/auditoria.csv?protocolo={receipt.protocol}&acao=identity_view", headers=ouvidor
    )
    rows = list(csv.DictReader(io.StringIO(log.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["quem"] == "user:ouvidor@example.org"
    assert "apuração pela comissão" in rows[0]["detalhes"]


async def test_denuncia_is_forwarded_only_as_confirmed_pseudonymized_extract(
    balcao: Balcao,
) -> None:
    citizen = Citizen(name="Carlos Alberto Souza", email="carlos@ufmt.br")
    text = (
        "Sou Carlos Alberto Souza, CPF 111.222.333-44, matrícula 201911223344, "
        "telefone (65) 99876-5432, e-mail carlos@ufmt.br. O servidor X cobra propina."
    )
    receipt = await balcao.manifestation(text, kind="denuncia", citizen=citizen)
    headers = await _headers(balcao, "ouvidor")
    await balcao.client.post(
        "/api/v1/units",
        json={"code": "CORREG", "name": "Corregedoria"},
        headers=(await balcao.user("ouvidor"))[1],
    )
    url = f"/staff/manifestacoes/{receipt.protocol}/encaminhar"
    form = await balcao.client.get(url, headers=headers)
    for secret in ("Carlos", "Souza", "111.222.333-44", "201911223344", "99876-5432", "carlos@"):
        assert secret not in form.text.split("<textarea")[1].split("</textarea>")[0]
    pseudonym = (await balcao.desk.get(receipt.protocol)).pseudonym
    extract = f"{pseudonym} relata que o servidor X cobra propina."
    unconfirmed = await balcao.client.post(
        url, data={"unit": "CORREG", "text": extract}, headers=headers
    )
    assert unconfirmed.status_code == 422
    leaky = await balcao.client.post(
        url, data={"unit": "CORREG", "text": "O Carlos (65) 99876-5432 relata"}, headers=headers
    )
    assert leaky.status_code == 422
    assert "nome do manifestante" in leaky.text
    sent = await balcao.client.post(
        url, data={"unit": "CORREG", "text": extract, "confirm": "1"}, headers=headers
    )
    assert sent.status_code == 200
    assert "encaminhada" in sent.text
    _, unit = await balcao.user("unidade", unit="CORREG")
    seen = await balcao.client.get(f"/staff/manifestacoes/{receipt.protocol}", headers=unit)
    assert extract in seen.text
    assert "Carlos" not in seen.text
    assert "propina." in seen.text
    assert "CPF" not in seen.text


async def test_attachment_downloads_never_render_in_the_browser(balcao: Balcao) -> None:
    svg = IncomingFile(filename="relato.txt", content=b"texto simples do anexo")
    receipt = await balcao.manifestation("Com anexo", files=(svg,))
    headers = await _headers(balcao, "atendente")
    page = await balcao.client.get(f"/staff/manifestacoes/{receipt.protocol}", headers=headers)
    link = page.text.split(f"/staff/manifestacoes/{receipt.protocol}/anexos/")[1].split('"')[0]
    response = await balcao.client.get(
        f"/staff/manifestacoes/{receipt.protocol}/anexos/{link}", headers=headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in response.headers["content-security-policy"]
    other = await balcao.manifestation("Outra")
    crossed = await balcao.client.get(
        f"/staff/manifestacoes/{other.protocol}/anexos/{link}", headers=headers
    )
    assert crossed.status_code == 404


class _ForwardEverything:
    @hookimpl
    def balcao_register_routing_rules(self) -> list[RoutingRuleSpec]:
        async def evaluate(_: Manifestation) -> RoutingDecision:
            return RoutingDecision(reason="tudo para a PRAE", forward_to="PRAE")

        return [RoutingRuleSpec(name="tudo", evaluate=evaluate)]


async def test_denuncia_is_never_forwarded_automatically(make_balcao: object) -> None:
    channel = RecordingChannel()
    balcao = await make_balcao(  # type: ignore[operator]
        plugins=[(channel.name, channel), ("regras", _ForwardEverything())]
    )
    complaint = await balcao.manifestation("O restaurante fechou cedo.")
    report = await balcao.manifestation("O gerente do restaurante desvia verba.", kind="denuncia")
    assert (await balcao.desk.get(complaint.protocol)).state is State.FORWARDED
    found = await balcao.desk.get(report.protocol)
    assert found.state is State.TRIAGE
    assert found.unit_code is None
