"""The JSON intake for portals: same rules as the form, JSON errors, OpenAPI."""

from __future__ import annotations

import base64
from typing import Any

import balcao_webform
from balcao import Kind
from balcao.testing import Balcao

from .conftest import API, PDF, PNG, MakeBalcao, stored_identity

MB = 1024 * 1024


def body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "solicitacao",
        "subject": "Segunda via de diploma",
        "description": "Peço a segunda via do meu diploma de graduação.",
        "anonymous": False,
        "citizen": {
            "name": "João Souza",
            "email": "joao@example.org",
            "phone": "65 3313-7210",
            "cpf": "52998224725",
        },
        "consent": True,
    }
    data.update(changes)
    return data


def attachment(name: str, content: bytes) -> dict[str, str]:
    return {"filename": name, "content_base64": base64.b64encode(content).decode()}


async def test_intake_answers_protocol_and_code(app: Balcao) -> None:
    response = await app.client.post(API, json=body())
    assert response.status_code == 201
    answer = response.json()
    assert set(answer) == {"protocol", "access_code"}
    found = await app.desk.verify_access(answer["protocol"], answer["access_code"])
    assert found is not None and found.kind is Kind.SOLICITACAO and found.channel == "webform"


async def test_no_csrf_token_is_needed(app: Balcao) -> None:
    app.client.cookies.clear()
    assert (await app.client.post(API, json=body())).status_code == 201


async def test_comunicacao_as_the_contract_sends_it(app: Balcao) -> None:
    response = await app.client.post(API, json=body(kind="denuncia", anonymous=True, citizen=None))
    assert response.status_code == 201
    answer = response.json()
    assert answer["access_code"] is None
    found = await app.desk.get(answer["protocol"])
    assert found.kind is Kind.COMUNICACAO and found.anonymous


async def test_identification_sent_with_an_anonymous_report_is_dropped(app: Balcao) -> None:
    response = await app.client.post(API, json=body(kind="denuncia", anonymous=True))
    assert response.status_code == 201
    assert await stored_identity(app, response.json()["protocol"]) == {}


async def test_only_a_denuncia_may_be_anonymous(app: Balcao) -> None:
    response = await app.client.post(API, json=body(kind="reclamacao", anonymous=True))
    assert response.status_code == 422
    answer = response.json()
    assert answer["status_code"] == 422
    assert "Somente a denúncia pode ser anônima" in answer["errors"]["anonymous"]
    assert answer["detail"] == answer["errors"]["anonymous"]


async def test_field_errors_use_json_names(app: Balcao) -> None:
    citizen = {"name": "", "email": "x@", "phone": "", "cpf": "111.111.111-11"}
    response = await app.client.post(API, json=body(citizen=citizen, consent=False, description=""))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {
        "description",
        "citizen.name",
        "citizen.email",
        "citizen.cpf",
        "consent",
    }


async def test_identified_report_needs_the_citizen(app: Balcao) -> None:
    response = await app.client.post(API, json=body(citizen=None))
    assert response.status_code == 422
    assert "citizen.name" in response.json()["errors"]


async def test_malformed_json_and_unknown_fields_are_400(app: Balcao) -> None:
    broken = await app.client.post(
        API, content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400
    unknown = await app.client.post(API, json={**body(), "anonimo": True})
    assert unknown.status_code == 400
    assert "anonimo" in unknown.text


async def test_attachments_in_base64_follow_the_same_limits(app: Balcao) -> None:
    ok = await app.client.post(
        API, json=body(attachments=[attachment("a.pdf", PDF), attachment("b.png", PNG)])
    )
    assert ok.status_code == 201
    too_big = await app.client.post(
        API, json=body(attachments=[attachment("c.pdf", PDF + b"0" * MB)])
    )
    assert too_big.status_code == 422
    assert "o limite é 1 MB" in too_big.json()["errors"]["attachments"]
    disguised = await app.client.post(
        API, json=body(attachments=[attachment("d.pdf", b"<html><script>x</script>")])
    )
    assert "não é de um arquivo PDF" in disguised.json()["errors"]["attachments"]
    bad = await app.client.post(
        API, json=body(attachments=[{"filename": "e.pdf", "content_base64": "@@@"}])
    )
    assert "base64" in bad.json()["errors"]["attachments"]


async def test_request_over_the_size_cap_is_413(app: Balcao) -> None:
    huge = body(description="x" * (7 * MB))
    response = await app.client.post(API, json=huge)
    assert response.status_code == 413


async def test_rate_limit_answers_429_in_json(app: Balcao) -> None:
    statuses = [(await app.client.post(API, json=body())).status_code for _ in range(6)]
    assert statuses == [201] * 5 + [429]
    last = await app.client.post(API, json=body())
    assert last.json()["status_code"] == 429
    assert "Muitos envios" in last.json()["detail"]


async def test_documented_in_openapi(app: Balcao) -> None:
    schema = (await app.client.get("/schema/openapi.json")).json()
    operation = schema["paths"]["/channels/webform/api/manifestations"]["post"]
    assert {"201", "422", "429"} <= set(operation["responses"])
    assert "/channels/webform/" not in schema["paths"]  # the HTML form is not an API


async def test_idempotency_key_makes_a_retry_safe(app: Balcao) -> None:
    headers = {"Idempotency-Key": "portal-7f3a"}
    first = await app.client.post(API, json=body(), headers=headers)
    retry = await app.client.post(API, json=body(), headers=headers)
    other = await app.client.post(API, json=body(), headers={"Idempotency-Key": "portal-7f3b"})
    assert [first.status_code, retry.status_code, other.status_code] == [201, 409, 201]
    assert "já foi enviada" in retry.json()["detail"]
    schema = (await app.client.get("/schema/openapi.json")).json()
    operation = schema["paths"]["/channels/webform/api/manifestations"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in operation.get("parameters", [])]


async def test_cross_origin_posts_only_from_configured_portals(make_balcao: MakeBalcao) -> None:
    app = await make_balcao(
        plugins=[("webform", balcao_webform)],
        settings={"plugins": {"webform": {"cors_origins": ["https://www.ufmt.br"]}}},
    )
    portal = {"origin": "https://www.ufmt.br"}
    preflight = await app.client.options(
        API, headers={**portal, "access-control-request-method": "POST"}
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://www.ufmt.br"
    assert "idempotency-key" in preflight.headers["access-control-allow-headers"]
    posted = await app.client.post(API, json=body(), headers=portal)
    assert posted.status_code == 201
    assert posted.headers["access-control-allow-origin"] == "https://www.ufmt.br"
    refused = await app.client.post(API, json=body(consent=False), headers=portal)
    assert refused.headers["access-control-allow-origin"] == "https://www.ufmt.br"
    elsewhere = {"origin": "https://evil.example"}
    other = await app.client.options(API, headers=elsewhere)
    assert "access-control-allow-origin" not in other.headers
    other_post = await app.client.post(API, json=body(), headers=elsewhere)
    assert "access-control-allow-origin" not in other_post.headers


async def test_no_cross_origin_access_by_default(app: Balcao) -> None:
    answer = await app.client.post(API, json=body(), headers={"origin": "https://www.ufmt.br"})
    assert answer.status_code == 201
    assert "access-control-allow-origin" not in answer.headers
