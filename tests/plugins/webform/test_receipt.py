"""The receipt in post/redirect/get: the code again on a reload, for 15 minutes, in the
browser that sent the form only, and never kept by the server."""

from __future__ import annotations

import re

import httpx
import pytest

from balcao.testing import Balcao

from .conftest import FORM, Citizen, hidden, identified

RECEIPT = "/channels/webform/recibo"


async def _post_without_following(app: Balcao, citizen: Citizen) -> httpx.Response:
    page = await citizen.open_form()
    app.clock.advance(seconds=10)
    data = {"_csrf_token": hidden(page, "_csrf_token"), "ticket": hidden(page, "ticket")}
    return await app.client.post(
        FORM, data={**identified(), **data}, files=[], follow_redirects=False
    )


async def test_the_post_redirects_to_the_receipt_with_a_sealed_short_cookie(
    app: Balcao, citizen: Citizen
) -> None:
    posted = await _post_without_following(app, citizen)
    assert posted.status_code == 303
    assert posted.headers["location"] == RECEIPT
    cookie = posted.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=900" in cookie
    shown = await app.client.get(RECEIPT)
    assert shown.status_code == 200
    protocol = shown.text.split('id="protocolo">')[1].split("<")[0]
    code = shown.text.split('id="codigo">')[1].split("<")[0]
    assert code not in posted.headers["set-cookie"]  # encrypted, not merely encoded
    assert await app.desk.verify_access(protocol, code) is not None
    again = await app.client.get(RECEIPT)  # F5 on the receipt
    assert code in again.text


async def test_the_code_is_gone_after_15_minutes_and_from_another_browser(
    app: Balcao, citizen: Citizen
) -> None:
    await _post_without_following(app, citizen)
    shown = await app.client.get(RECEIPT)
    code = shown.text.split('id="codigo">')[1].split("<")[0]
    other = httpx.AsyncClient(transport=app.client._transport, base_url=str(app.client.base_url))
    async with other:
        elsewhere = await other.get(RECEIPT)
    assert elsewhere.status_code == 404 and code not in elsewhere.text
    app.clock.advance(minutes=16)
    late = await app.client.get(RECEIPT)
    assert late.status_code == 404
    assert code not in late.text and "Recibo indisponível" in late.text


async def test_the_receipt_shows_when_it_was_registered_and_the_deadline(
    app: Balcao, citizen: Citizen
) -> None:
    await _post_without_following(app, citizen)
    shown = " ".join((await app.client.get(RECEIPT)).text.split())
    # the clock starts Tuesday 2026-12-01 10:00 in Cuiabá; the form took 10 seconds
    assert '<dd id="registrada-em">01/12/2026 10:00</dd>' in shown
    assert (
        '<dd id="prazo">até 31 de dezembro de 2026 (30 dias, prorrogáveis por mais 30)</dd>'
        in shown
    )
    # the copy button is for browsers running the script; without it the code is plain text
    assert 'class="botao wf-copiar" data-copiar="codigo" hidden>Copiar código</button>' in shown
    assert 'id="copiado" role="status" aria-live="polite"' in shown
    assert '<script src="/channels/webform/static/webform.js" defer></script>' in shown
    assert "<script>" not in shown  # the CSP allows no inline script


def _prazo(page: str) -> str:
    found = re.search(r'<dd id="prazo">([^<]*)</dd>', " ".join(page.split()))
    assert found, page
    return found.group(1)


@pytest.mark.parametrize("kind", ["reclamacao", "acesso_informacao"])
async def test_the_receipt_shows_the_deadline_the_tracking_page_shows(
    app: Balcao, citizen: Citizen, kind: str
) -> None:
    """The receipt's deadline comes with the registration (it is not read back): it is
    the one the case keeps, as the citizen sees it when following the case."""
    app.clock.advance(days=20)  # near the year's end holidays, counted in the deadline
    receipt = await citizen.submit(identified(kind=kind))
    assert receipt.status_code == 200
    protocol = receipt.text.split('id="protocolo">')[1].split("<")[0]
    code = receipt.text.split('id="codigo">')[1].split("<")[0]
    page = await app.client.get("/acompanhar")
    token = hidden(page.text, "_csrf_token")
    tracked = await app.client.post(
        "/acompanhar", data={"_csrf_token": token, "protocol": protocol, "access_code": code}
    )
    assert tracked.status_code == 200
    assert _prazo(receipt.text) == _prazo(tracked.text)
    days = "20 dias" if kind == "acesso_informacao" else "30 dias"
    assert days in _prazo(receipt.text)
