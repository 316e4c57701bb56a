"""The booking page as a citizen reads it: no kind chosen for them, required fields marked
like the web form's, and a missing kind named in plain words."""

from __future__ import annotations

import re

from meet_support import csrf_token

SLOT = "2026-12-02T08:00:00-04:00"


def _form(token: str, **changes: str) -> dict[str, str]:
    """The booking form as a citizen sends it, with ``changes``."""
    return {
        "_csrf_token": token,
        "start": SLOT,
        "name": "Maria",
        "email": "maria@example.org",
        "phone": "",
        "kind": "elogio",
        "description": "Quero elogiar.",
        "consent": "sim",
        **changes,
    }


async def test_the_kind_starts_unchosen_and_required_fields_are_marked(make_meet) -> None:
    b = await make_meet()
    page = (await b.client.get("/channels/meet/", params={"dia": "2026-12-02"})).text
    select = re.search(r'<select id="kind".*?</select>', page, re.S)
    assert select
    options = re.findall(r'<option value="([^"]*)"\s*(selected)?', select.group(0))
    assert options[0] == ("", "selected")  # "Selecione…"
    assert [value for value, chosen in options if chosen] == [""]
    marked = re.findall(r'<label for="(\w+)">[^<]*<span aria-hidden="true">\*</span>', page)
    assert set(marked) == {"name", "kind", "description", "consent"}
    assert "Campos marcados com" in page and "identificado" in page


async def test_a_booking_without_a_kind_says_so_and_keeps_what_was_typed(make_meet) -> None:
    b = await make_meet()
    page = await b.client.get("/channels/meet/", params={"dia": "2026-12-02"})
    answer = await b.client.post(
        "/channels/meet/agendar", data=_form(csrf_token(page.text), kind="")
    )
    assert answer.status_code == 422
    assert "escolha o tipo de manifestação" in answer.text
    assert "tipo desconhecido" not in answer.text
    assert 'value="Maria"' in answer.text
    assert re.search(r'id="consent"[^>]*checked', answer.text)
    assert re.search(rf'value="{re.escape(SLOT)}"\s+required\s+checked', answer.text)


async def test_the_booking_is_found_with_the_protocol_typed_without_its_hyphen(
    make_meet,
) -> None:
    b = await make_meet()
    page = await b.client.get("/channels/meet/", params={"dia": "2026-12-02"})
    token = csrf_token(page.text)
    done = await b.client.post("/channels/meet/agendar", data=_form(token))
    protocol = done.text.split("<dt>Protocolo</dt><dd>")[1].split("<")[0]
    code = done.text.split("<strong>")[1].split("<")[0]
    manage = await b.client.get("/channels/meet/gerenciar")
    assert 'inputmode="text"' in manage.text and 'aria-describedby="protocol_ajuda"' in manage.text
    found = await b.client.post(
        "/channels/meet/gerenciar",
        data={"_csrf_token": token, "protocol": protocol.replace("-", ""), "access_code": code},
    )
    assert found.status_code == 200
    assert "Cancelar o atendimento" in found.text
