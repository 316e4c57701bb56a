"""The HTML form through HTTP, as a citizen's browser uses it."""

from __future__ import annotations

import re

from balcao import Kind, State
from balcao.testing import Balcao

from .conftest import (
    FORM,
    GOOD_CPF,
    PDF,
    Citizen,
    error_of,
    field_value,
    hidden,
    identified,
    squash,
    stored_identity,
)


def _protocol(page: str) -> str:
    found = re.search(r'id="protocolo">([^<]+)<', page)
    assert found, page
    return found.group(1)


def _code(page: str) -> str | None:
    found = re.search(r'id="codigo">([^<]+)<', page)
    return found.group(1) if found else None


async def test_form_is_listed_on_the_home_page(app: Balcao) -> None:
    home = await app.client.get("/")
    assert 'href="/channels/webform/"' in home.text
    assert "Formulário web" in home.text


async def test_form_explains_each_kind_and_accessibility_hooks(citizen: Citizen) -> None:
    page = await citizen.open_form()
    assert "Demonstração de insatisfação relativa à prestação de serviço público." in page
    assert "Pode ser anônima." in page
    assert 'name="_csrf_token"' in page
    assert '<label for="description">' in page
    assert 'aria-describedby="attachments-ajuda"' in page
    assert "Até 3 arquivos de até 1 MB" in squash(page)
    assert "não pode ser acompanhada nem respondida" in page


async def test_identified_submission_registers_and_shows_code_once(
    app: Balcao, citizen: Citizen
) -> None:
    response = await citizen.submit(identified(), [("nota.pdf", PDF, "application/pdf")])
    assert response.status_code == 200
    protocol, code = _protocol(response.text), _code(response.text)
    assert code
    assert response.headers["cache-control"] == "no-store"
    assert "Fala.BR" in response.text and 'href="/acompanhar"' in response.text
    found = await app.desk.verify_access(protocol, code)
    assert found is not None
    assert found.kind is Kind.RECLAMACAO and found.channel == "webform"
    assert found.subject == "Restaurante universitário"
    assert found.extra == {"place": "Campus Cuiabá, RU", "fact_date": "2026-11-30"}
    assert found.state in (State.TRIAGE, State.FORWARDED)  # it went through routing


async def test_tracking_page_finds_the_new_manifestation(app: Balcao, citizen: Citizen) -> None:
    done = await citizen.submit(identified())
    page = await app.client.get("/acompanhar")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token
    tracked = await app.client.post(
        "/acompanhar",
        data={
            "_csrf_token": token.group(1),
            "protocol": _protocol(done.text),
            "access_code": _code(done.text) or "",
        },
    )
    assert tracked.status_code == 200
    assert "O restaurante universitário fechou às 11h sem aviso." in tracked.text


async def test_identity_is_stored_for_the_ouvidor_only(app: Balcao, citizen: Citizen) -> None:
    done = await citizen.submit(identified())
    ouvidor, _ = await app.user("ouvidor")
    person = await app.desk.reveal_identity(_protocol(done.text), ouvidor, "teste")
    assert person is not None
    assert (person.name, person.email, person.cpf) == (
        "Maria da Silva",
        "maria@example.org",
        "52998224725",
    )


async def test_anonymous_denuncia_becomes_comunicacao_without_code(
    app: Balcao, citizen: Citizen
) -> None:
    fields = identified(kind="denuncia", anonymous="sim", name="Fulano", email="f@example.org")
    response = await citizen.submit(fields)
    assert response.status_code == 200
    assert _code(response.text) is None
    assert "não é possível acompanhá-la nem receber" in response.text
    protocol = _protocol(response.text)
    found = await app.desk.get(protocol)
    assert found.kind is Kind.COMUNICACAO and found.anonymous
    assert await stored_identity(app, protocol) == {}


async def test_anonymous_needs_no_identification(citizen: Citizen) -> None:
    fields = identified(kind="denuncia", anonymous="sim", name="", email="", phone="", cpf="")
    response = await citizen.submit(fields)
    assert response.status_code == 200


async def test_only_a_denuncia_may_be_anonymous(app: Balcao, citizen: Citizen) -> None:
    response = await citizen.submit(identified(kind="elogio", anonymous="sim"))
    assert response.status_code == 422
    assert "Somente a denúncia pode ser anônima" in error_of(response.text, "anonymous")


async def test_every_missing_field_is_named_and_typed_values_are_kept(
    citizen: Citizen,
) -> None:
    fields = identified(
        kind="<omit>", description="", name="", email="", phone="", consent="<omit>"
    )
    response = await citizen.submit(fields)
    assert response.status_code == 422
    page = response.text
    assert 'id="resumo-erros"' in page and "autofocus" in page
    assert error_of(page, "kind") == "Erro: Escolha o tipo de manifestação."
    assert "Descreva" in error_of(page, "description")
    assert "nome" in error_of(page, "name")
    assert "e-mail ou um telefone" in error_of(page, "email")
    assert "aviso de privacidade" in error_of(page, "consent")
    assert 'aria-describedby="name-ajuda name-erro"' in page
    assert 'href="#description"' in page  # the summary links to the field
    assert field_value(page, "subject") == "Restaurante universitário"
    assert field_value(page, "cpf") == GOOD_CPF


async def test_field_formats_are_checked(citizen: Citizen) -> None:
    fields = identified(email="maria@", phone="123", cpf="529.982.247-24", fact_date="2099-01-01")
    page = (await citizen.submit(fields)).text
    assert "E-mail inválido" in error_of(page, "email")
    assert "Telefone inválido" in error_of(page, "phone")
    assert "CPF inválido" in error_of(page, "cpf")
    assert "futuro" in error_of(page, "fact_date")
    assert field_value(page, "email") == "maria@"


async def test_bad_date_and_long_subject(citizen: Citizen) -> None:
    page = (await citizen.submit(identified(fact_date="31/02/2026", subject="x" * 301))).text
    assert "Data inválida" in error_of(page, "fact_date")
    assert "no máximo 300 caracteres" in error_of(page, "subject")


async def test_typed_date_in_brazilian_format_is_accepted(app: Balcao, citizen: Citizen) -> None:
    response = await citizen.submit(identified(fact_date="25/11/2026"))
    assert response.status_code == 200
    found = await app.desk.get(_protocol(response.text))
    assert found.extra["fact_date"] == "2026-11-25"


async def test_unknown_kind_is_refused(citizen: Citizen) -> None:
    page = (await citizen.submit(identified(kind="nao_classificada"))).text
    assert "Escolha o tipo" in error_of(page, "kind")


async def test_typed_text_is_escaped_when_shown_again(citizen: Citizen) -> None:
    page = (await citizen.submit(identified(subject='"><script>alert(1)</script>', name=""))).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


async def test_form_path_without_slash_redirects_or_serves(app: Balcao) -> None:
    response = await app.client.get(FORM.rstrip("/"), follow_redirects=True)
    assert response.status_code == 200


async def test_each_visitor_gets_their_own_tokens_in_the_same_page(
    app: Balcao, citizen: Citizen
) -> None:
    first = await citizen.open_form()
    first_cookie = app.client.cookies.get("csrftoken")
    app.client.cookies.clear()  # another browser
    second = await citizen.open_form()
    assert hidden(first, "_csrf_token") == first_cookie
    assert hidden(second, "_csrf_token") == app.client.cookies.get("csrftoken")
    assert hidden(first, "_csrf_token") != hidden(second, "_csrf_token")
    assert hidden(first, "ticket") != hidden(second, "ticket")
    # the pages are otherwise the same, and each works for its own visitor only
    blank = re.compile(r'(name="(?:_csrf_token|ticket)" value=)"[^"]*"')
    assert blank.sub(r"\1", first) == blank.sub(r"\1", second)
    borrowed = await citizen.submit(identified(), page=first)
    assert borrowed.status_code == 403
    assert (await citizen.submit(identified(), page=second)).status_code == 200
