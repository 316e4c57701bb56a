"""The staff page behind the "Registrar no Fala.BR" action: HTML forms with CSRF."""

from __future__ import annotations

import re

from balcao import Kind
from balcao.testing import Balcao

from .common import new_case
from .fake_meouv import FakeMeOuv, nup_with_check_digits

PAGE = "/exports/falabr_export/manifestations/{}/page"


async def open_page(app: Balcao, protocol: str) -> tuple[dict[str, str], str, str]:
    _, headers = await app.user("atendente")
    response = await app.client.get(PAGE.format(protocol), headers=headers)
    assert response.status_code == 200, response.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', response.text)
    assert token is not None
    return headers, token.group(1), response.text


async def test_page_lists_the_three_ways(app: Balcao) -> None:
    protocol = await new_case(app)
    _, _, html = await open_page(app, protocol)
    assert f"manifestação {protocol}" in html
    for label in (
        "Enviar pela API",
        "Preparar texto",
        "Enviar o link ao cidadão",
        "Informar o NUP",
    ):
        assert label in html


async def test_page_forms_register_and_record(app: Balcao, meouv: FakeMeOuv) -> None:
    denuncia = await new_case(app, Kind.DENUNCIA, text="Fraude na licitação do bloco B.")
    headers, token, _ = await open_page(app, denuncia)
    staff = await app.client.post(
        PAGE.format(denuncia), data={"action": "staff", "_csrf_token": token}, headers=headers
    )
    assert staff.status_code == 200
    assert "Fraude na licitação do bloco B." in staff.text
    assert "Maria" not in staff.text
    bad = await app.client.post(
        PAGE.format(denuncia),
        data={"action": "nup", "nup": "123", "_csrf_token": token},
        headers=headers,
    )
    assert "17 dígitos" in bad.text
    nup = nup_with_check_digits("231080004562026")
    good = await app.client.post(
        PAGE.format(denuncia),
        data={"action": "nup", "nup": nup, "_csrf_token": token},
        headers=headers,
    )
    assert "NUP registrado." in good.text
    assert f"{nup[:5]}.{nup[5:11]}/{nup[11:15]}-{nup[15:]}" in good.text
    other = await new_case(app)
    via_api = await app.client.post(
        PAGE.format(other), data={"action": "api", "_csrf_token": token}, headers=headers
    )
    assert "Registrada no Fala.BR." in via_api.text
    assert len(meouv.created) == 1


async def test_page_post_without_csrf_token_is_refused(app: Balcao, meouv: FakeMeOuv) -> None:
    protocol = await new_case(app)
    headers, _, _ = await open_page(app, protocol)
    response = await app.client.post(PAGE.format(protocol), data={"action": "api"}, headers=headers)
    assert response.status_code == 403
    assert meouv.created == []
