"""What the citizen sees on the tracking page: the subject, the files sent, the response
deadline in plain words; the protocol typed with or without its hyphen."""

from __future__ import annotations

import re

import pytest

from balcao import IncomingFile, Kind, Purpose, Receipt
from balcao.testing import Balcao

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


async def _track_page(app: Balcao, protocol: str, code: str) -> tuple[int, str]:
    page = await app.client.get("/acompanhar")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token
    answer = await app.client.post(
        "/acompanhar",
        data={"protocol": protocol, "access_code": code, "_csrf_token": token.group(1)},
    )
    return answer.status_code, re.sub(r"\s+", " ", answer.text)


async def _with_files(app: Balcao) -> Receipt:
    files = (IncomingFile(filename="nota-fiscal.pdf", content=PDF),)
    receipt = await app.manifestation(subject="Fila do restaurante", files=files)
    await app.desk.add_message(
        receipt.protocol,
        "Segue a foto da fila.",
        channel="fake",
        files=[IncomingFile(filename="fila.png", content=PNG)],
    )
    return receipt


async def test_the_holder_sees_the_subject_the_files_and_the_deadline_in_words(
    balcao: Balcao,
) -> None:
    receipt = await _with_files(balcao)
    status, page = await _track_page(balcao, receipt.protocol, receipt.access_code or "")
    assert status == 200
    assert "Assunto</dt><dd>Fila do restaurante</dd>" in page
    assert f'nota-fiscal.pdf <span class="ajuda">({len(PDF)} bytes)</span>' in page
    assert "fila.png" in page
    assert 'Prazo para resposta</dt><dd id="prazo">até 31 de dezembro de 2026 ' in page
    assert "(30 dias, prorrogáveis por mais 30)" in page
    assert "Prazo legal: Lei 13.460/2017, art. 16." in page
    assert "Pesquisa de satisfação" not in page  # nothing to answer before the conclusion


async def test_a_wrong_code_shows_neither_subject_nor_files(balcao: Balcao) -> None:
    receipt = await _with_files(balcao)
    status, page = await _track_page(balcao, receipt.protocol, "AAAAA-AAAAA")
    assert status == 404
    assert "Fila do restaurante" not in page and "nota-fiscal" not in page


async def test_the_api_answers_with_subject_files_and_deadline_text(balcao: Balcao) -> None:
    receipt = await _with_files(balcao)
    body = (
        await balcao.client.post(
            "/api/v1/tracking",
            json={"protocol": receipt.protocol, "access_code": receipt.access_code},
        )
    ).json()
    assert body["subject"] == "Fila do restaurante"
    assert [(f["filename"], f["size"]) for f in body["attachments"]] == [
        ("nota-fiscal.pdf", len(PDF)),
        ("fila.png", len(PNG)),
    ]
    assert body["deadline_text"] == "até 31 de dezembro de 2026 (30 dias, prorrogáveis por mais 30)"


async def test_an_extended_and_an_information_request_deadline_say_their_terms(
    balcao: Balcao,
) -> None:
    ouvidor, _ = await balcao.user("ouvidor")
    extended = await balcao.manifestation()
    await balcao.desk.extend_deadline(extended.protocol, Purpose.RESPONSE, "apuração", ouvidor)
    _, page = await _track_page(balcao, extended.protocol, extended.access_code or "")
    assert "(30 dias, prorrogados por mais 30)" in page
    lai = await balcao.manifestation(kind=Kind.ACESSO_INFORMACAO)
    _, page = await _track_page(balcao, lai.protocol, lai.access_code or "")
    assert "(20 dias, prorrogáveis por mais 10)" in page
    assert "Prazo legal: Lei 12.527/2011, art. 11." in page


@pytest.mark.parametrize("typed", ["{y}{n}", "{y} {n}", "{y}–{n}", " {y}-{n} "])
async def test_the_protocol_may_be_typed_without_its_hyphen(balcao: Balcao, typed: str) -> None:
    receipt = await balcao.manifestation(subject="Sem hífen")
    year, number = receipt.protocol.split("-")
    status, page = await _track_page(
        balcao, typed.format(y=year, n=number), receipt.access_code or ""
    )
    assert status == 200
    assert f'Manifestação <span class="protocolo">{receipt.protocol}</span>' in page
    assert "Sem hífen" in page


async def test_the_protocol_field_lets_phones_type_a_hyphen(balcao: Balcao) -> None:
    page = (await balcao.client.get("/acompanhar")).text
    field = re.search(r'<input id="protocol"[^>]*>', page)
    assert field
    assert 'inputmode="numeric"' not in field.group(0)
    assert 'inputmode="text"' in field.group(0) and "pattern=" in field.group(0)
    assert 'aria-describedby="protocol_ajuda"' in field.group(0)
