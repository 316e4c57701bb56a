"""Defences of the form: CSRF, honeypot, fill time, single use, rate limit, size caps and
hostile uploads. Each test shows that nothing was registered when it must not be."""

from __future__ import annotations

import re

from balcao.testing import Balcao

from .conftest import API, FORM, PDF, PNG, Citizen, error_of, hidden, identified, squash

MB = 1024 * 1024


async def _count(app: Balcao, ouvidor_headers: dict[str, str]) -> int:
    listing = await app.client.get("/api/v1/manifestations", headers=ouvidor_headers)
    assert listing.status_code == 200, listing.text
    body = listing.json()
    items = body["items"] if isinstance(body, dict) else body
    return len(items)


async def _registered(app: Balcao) -> int:
    _, headers = await app.user("ouvidor")
    return await _count(app, headers)


async def test_post_without_csrf_token_is_refused(app: Balcao, citizen: Citizen) -> None:
    page = await citizen.open_form()
    app.clock.advance(seconds=10)
    response = await app.client.post(
        FORM,
        data={**identified(), "ticket": hidden(page, "ticket")},
        files=[("attachments", ("", b"", "application/octet-stream"))],
    )
    assert response.status_code == 403
    assert "Sessão expirada" in response.text
    assert await _registered(app) == 0


async def test_forged_csrf_token_is_refused(app: Balcao, citizen: Citizen) -> None:
    response = await citizen.submit(identified(), _csrf_token="forjado" * 8)
    assert response.status_code == 403
    assert await _registered(app) == 0


async def test_csrf_token_from_another_session_is_refused(app: Balcao, citizen: Citizen) -> None:
    page = await citizen.open_form()
    app.client.cookies.clear()  # the attacker's victim has a different cookie
    await app.client.get(FORM)
    response = await citizen.submit(identified(), page=page)
    assert response.status_code == 403
    assert await _registered(app) == 0


async def test_honeypot_filled_is_refused(app: Balcao, citizen: Citizen) -> None:
    response = await citizen.submit(identified(), website="http://spam.example")
    assert response.status_code == 400
    assert "Envio recusado" in response.text
    assert await _registered(app) == 0


async def test_a_complete_form_sent_too_fast_is_shown_again_to_confirm(
    app: Balcao, citizen: Citizen
) -> None:
    response = await citizen.submit(identified(), wait=1)
    assert response.status_code == 200
    text = squash(response.text)
    assert "Confira os dados abaixo e clique em “Enviar manifestação”" in text
    assert "Nada foi registrado ainda" in text
    assert "rápido demais" not in text and "Não foi possível enviar" not in text
    assert 'value="Restaurante universitário"' in response.text  # nothing typed is lost
    assert await _registered(app) == 0
    again = await citizen.submit(identified(), page=response.text, wait=5)
    assert again.status_code == 200 and "Manifestação registrada" in again.text
    assert await _registered(app) == 1


async def test_missing_fields_are_reported_even_when_sent_too_fast(
    app: Balcao, citizen: Citizen
) -> None:
    empty = identified(subject="", description="", name="", consent="<omit>")
    response = await citizen.submit(empty, wait=0)
    assert response.status_code == 422
    text = squash(response.text)
    assert "corrija os 4 itens abaixo" in text
    assert all(error_of(response.text, f) for f in ("subject", "description", "name", "consent"))
    assert "Confira os dados abaixo e clique" not in text
    assert await _registered(app) == 0


async def test_one_missing_field_is_counted_in_the_singular(app: Balcao, citizen: Citizen) -> None:
    response = await citizen.submit(identified(subject=""), wait=0)
    assert response.status_code == 422
    assert "corrija o item abaixo" in squash(response.text)
    assert error_of(response.text, "subject")


async def test_forged_or_missing_ticket_is_refused(app: Balcao, citizen: Citizen) -> None:
    page = await citizen.open_form()
    ticket = hidden(page, "ticket")
    nonce, issued, signature = ticket.split(".")
    earlier = f"{nonce}.{int(issued) - 3600}.{signature}"  # pretend it was served long ago
    response = await citizen.submit(identified(), page=page, wait=0, ticket=earlier)
    assert response.status_code == 400
    missing = await citizen.submit(identified(), ticket="")
    assert missing.status_code == 400
    assert await _registered(app) == 0


async def test_form_left_open_too_long_asks_to_send_again(app: Balcao, citizen: Citizen) -> None:
    response = await citizen.submit(identified(), wait=13 * 3600)
    assert response.status_code == 422
    assert "aberto por muito tempo" in response.text


async def test_the_same_form_sent_twice_registers_once_and_gets_the_same_receipt(
    app: Balcao, citizen: Citizen
) -> None:
    page = await citizen.open_form()
    first = await citizen.submit(identified(), page=page)
    assert first.status_code == 200
    # the answer never reached the browser (a dropped connection): the citizen sends again
    app.client.cookies.delete("balcao_webform_recibo")  # what the first answer left
    second = await citizen.submit(identified(), page=page)
    assert second.status_code == 200
    assert _receipt(second.text) == _receipt(first.text)
    assert _receipt(first.text)[1]  # the access code, again
    assert await _registered(app) == 1


def _receipt(page: str) -> tuple[str, str]:
    protocol = re.search(r'id="protocolo">([^<]+)<', page)
    code = re.search(r'id="codigo">([^<]+)<', page)
    assert protocol and code, page
    return protocol.group(1), code.group(1)


async def test_rate_limit_per_address(app: Balcao, citizen: Citizen) -> None:
    for _ in range(5):
        assert (await citizen.submit(identified())).status_code == 200
    refused = await citizen.submit(identified())
    assert refused.status_code == 429
    assert "Muitos envios" in refused.text
    assert 'value="Maria da Silva"' in refused.text
    app.clock.advance(hours=1, seconds=1)
    assert (await citizen.submit(identified())).status_code == 200


async def test_rate_limit_is_shared_with_the_json_intake(app: Balcao, citizen: Citizen) -> None:
    body = {
        "kind": "sugestao",
        "subject": "Bicicletário",
        "description": "Sugiro um bicicletário no bloco C.",
        "anonymous": False,
        "citizen": {"name": "Ana", "email": "ana@example.org", "phone": "", "cpf": ""},
        "consent": True,
    }
    for _ in range(5):
        assert (await app.client.post(API, json=body)).status_code == 201
    assert (await citizen.submit(identified())).status_code == 429


async def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(
    app: Balcao, citizen: Citizen
) -> None:
    for n in range(5):
        page = await citizen.open_form()
        headers = {"x-forwarded-for": f"203.0.113.{n}"}
        app.clock.advance(seconds=10)
        data = {"_csrf_token": hidden(page, "_csrf_token"), "ticket": hidden(page, "ticket")}
        response = await app.client.post(
            FORM,
            data={**identified(), **data},
            files=[("attachments", ("", b"", "text/plain"))],
            headers=headers,
        )
        assert response.status_code == 200
    assert (await citizen.submit(identified())).status_code == 429


async def test_files_at_the_limits_are_accepted(app: Balcao, citizen: Citizen) -> None:
    big = PDF + b"0" * (MB - len(PDF))  # exactly 1 MB, the configured limit
    files = [("a.pdf", big, "application/pdf"), ("b.png", PNG, "image/png"), ("c.txt", b"ok", "")]
    response = await citizen.submit(identified(), files)
    assert response.status_code == 200


async def test_file_over_the_size_limit_keeps_everything_typed(
    app: Balcao, citizen: Citizen
) -> None:
    big = PDF + b"0" * MB
    response = await citizen.submit(identified(), [("grande.pdf", big, "application/pdf")])
    assert response.status_code == 422
    message = error_of(response.text, "attachments")
    assert "“grande.pdf”: tem 1,0 MB; o limite é 1 MB por arquivo." in message
    assert 'value="Restaurante universitário"' in response.text
    assert await _registered(app) == 0


async def test_too_many_files(app: Balcao, citizen: Citizen) -> None:
    files = [(f"{n}.pdf", PDF + bytes([n]), "application/pdf") for n in range(4)]
    response = await citizen.submit(identified(), files)
    assert response.status_code == 422
    assert "no máximo 3 arquivos (foram 4)" in error_of(response.text, "attachments")


async def test_request_over_the_whole_size_cap_is_refused_before_reading(
    app: Balcao, citizen: Citizen
) -> None:
    # three files of 1 MB plus 1 MB of room for text: 5 MB is over
    files = [(f"{n}.pdf", PDF + b"0" * (MB + 700_000), "application/pdf") for n in range(3)]
    response = await citizen.submit(identified(), files)
    assert response.status_code == 413
    assert "Envio grande demais" in response.text
    assert await _registered(app) == 0


async def test_declared_type_is_not_trusted(app: Balcao, citizen: Citizen) -> None:
    html_page = b"<html><script>alert(document.cookie)</script></html>"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    files = [("foto.png", html_page, "image/png"), ("nota.pdf", svg, "application/pdf")]
    response = await citizen.submit(identified(), files)
    assert response.status_code == 422
    message = error_of(response.text, "attachments")
    assert "“foto.png”: o conteúdo não é de um arquivo PNG" in message
    assert "“nota.pdf”: o conteúdo não é de um arquivo PDF" in message


async def test_types_outside_the_configuration_are_refused(citizen: Citizen) -> None:
    files = [("desenho.svg", b"<svg/>", "image/svg+xml"), ("x.exe", b"MZ\x90\x00", "")]
    response = await citizen.submit(identified(), files)
    message = error_of(response.text, "attachments")
    assert "“desenho.svg”: tipo de arquivo não aceito" in message
    assert "“x.exe”: tipo de arquivo não aceito" in message
    assert "PDF, JPG, JPEG, PNG" in message


async def test_png_renamed_as_pdf_is_refused(citizen: Citizen) -> None:
    response = await citizen.submit(identified(), [("laudo.pdf", PNG, "application/pdf")])
    assert "não é de um arquivo PDF" in error_of(response.text, "attachments")


async def test_hostile_file_names_are_made_safe(app: Balcao, citizen: Citizen) -> None:
    hostile = '../../etc/<img src=x onerror=alert(1)>\x00"passwd'
    response = await citizen.submit(identified(), [(hostile + ".txt", b"texto simples", "")])
    assert response.status_code == 200
    refused = await citizen.submit(identified(), [(hostile + ".exe", b"MZ", "")])
    assert "<img" not in refused.text and "../" not in refused.text
    message = error_of(refused.text, "attachments")
    assert message.startswith("Erro: “_img src=x onerror=alert(1)_")  # no path, no tag
    assert "passwd.exe”: tipo de arquivo não aceito" in message
    windows = await citizen.submit(identified(), [("C:\\Users\\x\\..\\boot.ini", b"x", "")])
    assert "“boot.ini”" in error_of(windows.text, "attachments")


async def test_empty_file_is_refused(citizen: Citizen) -> None:
    response = await citizen.submit(identified(), [("vazio.pdf", b"", "application/pdf")])
    assert "vazio" in error_of(response.text, "attachments")


async def test_nothing_uploaded_is_served_inline(app: Balcao, citizen: Citizen) -> None:
    # The plugin serves only its own static files; uploads are not reachable under its prefix.
    assert (await app.client.get("/channels/webform/static/webform.css")).status_code == 200
    assert (await app.client.get("/channels/webform/static/../../../etc/passwd")).status_code in (
        400,
        404,
    )
    assert (await app.client.get("/channels/webform/files/1")).status_code in (404, 405)


async def test_a_form_sent_again_past_the_rate_limit_still_gets_its_receipt(
    app: Balcao, citizen: Citizen
) -> None:
    """The repeat of a registered form is answered with its receipt, not refused: its first
    sending was within the limit, and nothing new is registered."""
    for _ in range(4):
        assert (await citizen.submit(identified())).status_code == 200
    page = await citizen.open_form()
    fifth = await citizen.submit(identified(), page=page)
    assert fifth.status_code == 200
    app.client.cookies.delete("balcao_webform_recibo")
    again = await citizen.submit(identified(), page=page)
    assert again.status_code == 200
    assert _receipt(again.text) == _receipt(fifth.text)
    assert "Prazo para resposta" in again.text
    assert await _registered(app) == 5
    assert (await citizen.submit(identified())).status_code == 429  # a new form still is
