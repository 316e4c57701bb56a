"""The staff REST API and citizen tracking, through HTTP."""

from balcao import Citizen, Kind
from balcao.testing import Balcao, RecordingChannel


async def test_no_token_is_401_and_a_wrong_role_is_403(balcao: Balcao) -> None:
    assert (await balcao.client.get("/api/v1/manifestations")).status_code == 401
    bad = {"Authorization": "Bearer blc_nope"}
    assert (await balcao.client.get("/api/v1/manifestations", headers=bad)).status_code == 401
    _, auditor = await balcao.user("auditor")
    response = await balcao.client.post(
        "/api/v1/units", headers=auditor, json={"code": "PRAE", "name": "Pró-reitoria"}
    )
    assert response.status_code == 403
    assert response.json()["detail"]


async def test_list_filters_and_search_are_accent_insensitive(balcao: Balcao) -> None:
    await balcao.manifestation("Reclamação sobre a refeição do RU")
    await balcao.manifestation("Elogio à biblioteca", kind=Kind.ELOGIO)
    _, headers = await balcao.user("atendente")
    page = (
        await balcao.client.get("/api/v1/manifestations", headers=headers, params={"q": "refeicao"})
    ).json()
    assert [m["description"] for m in page["items"]] == ["Reclamação sobre a refeição do RU"]
    page = (
        await balcao.client.get(
            "/api/v1/manifestations", headers=headers, params={"kind": "elogio", "state": "triage"}
        )
    ).json()
    assert page["total"] == 1
    page = (
        await balcao.client.get(
            "/api/v1/manifestations", headers=headers, params={"per_page": 1, "page": 2}
        )
    ).json()
    assert (page["total"], len(page["items"]), page["page"]) == (2, 1, 2)


async def test_detail_has_timeline_deadlines_and_routing_but_no_identity(balcao: Balcao) -> None:
    receipt = await balcao.manifestation(
        citizen=Citizen(name="Joana Quitéria", email="joana@example.org")
    )
    _, headers = await balcao.user("atendente")
    response = await balcao.client.get(
        f"/api/v1/manifestations/{receipt.protocol}", headers=headers
    )
    body = response.json()
    assert response.status_code == 200
    assert body["manifestation"]["routing_reason"]
    assert body["deadlines"][0]["due_on"] == "2026-12-31"
    assert [e["type"] for e in body["timeline"]][:1] == ["inbound"]
    assert "Joana" not in response.text and "joana@" not in response.text


async def test_reply_note_and_transition_through_the_api(
    balcao: Balcao,
    recording_channel: RecordingChannel,
) -> None:
    from balcao import NewManifestation

    receipt = await balcao.desk.intake(
        NewManifestation(
            kind=Kind.SOLICITACAO,
            channel="fake",
            description="Quero o histórico",
            channel_address="5565911112222",
        )
    )
    _, headers = await balcao.user("atendente")
    base = f"/api/v1/manifestations/{receipt.protocol}"
    reply = await balcao.client.post(
        f"{base}/messages", headers=headers, json={"text": "Segue o histórico.", "internal": False}
    )
    note = await balcao.client.post(
        f"{base}/messages",
        headers=headers,
        json={"text": "Conferir com a secretaria", "internal": True},
    )
    assert (reply.status_code, note.json()["internal"]) == (201, True)
    moved = await balcao.client.post(
        f"{base}/transitions", headers=headers, json={"to": "answered", "reason": "respondida"}
    )
    assert moved.json()["state"] == "answered"
    illegal = await balcao.client.post(
        f"{base}/transitions", headers=headers, json={"to": "forwarded"}
    )
    assert illegal.status_code == 409
    assert "Transição não permitida" in illegal.json()["detail"]
    await balcao.run_worker()
    assert [m.text for m in recording_channel.sent] == ["Segue o histórico."]


async def test_bad_input_is_a_4xx_with_a_detail(balcao: Balcao) -> None:
    receipt = await balcao.manifestation()
    _, headers = await balcao.user("atendente")
    base = f"/api/v1/manifestations/{receipt.protocol}"
    unknown_state = await balcao.client.post(
        f"{base}/transitions", headers=headers, json={"to": "evaporated"}
    )
    assert unknown_state.status_code == 400
    assert "detail" in unknown_state.json()
    missing = await balcao.client.get("/api/v1/manifestations/2026-999999", headers=headers)
    assert missing.status_code == 404
    unit = await balcao.client.post(
        f"{base}/forward", headers=headers, json={"unit": "NOPE", "text": "x"}
    )
    assert unit.status_code == 400
    assert "unidade desconhecida" in unit.json()["detail"]


async def test_forward_then_the_unit_sees_only_its_own(balcao: Balcao) -> None:
    mine = await balcao.manifestation("Obra parada no bloco C")
    other = await balcao.manifestation("Outro assunto")
    _, ouvidor = await balcao.user("ouvidor")
    await balcao.client.post(
        "/api/v1/units", headers=ouvidor, json={"code": "SINFRA", "name": "Infraestrutura"}
    )
    response = await balcao.client.post(
        f"/api/v1/manifestations/{mine.protocol}/forward",
        headers=ouvidor,
        json={"unit": "SINFRA", "text": "Obra parada no bloco C"},
    )
    assert response.json()["state"] == "forwarded"
    _, unit = await balcao.user("unidade", unit="SINFRA")
    listing = (await balcao.client.get("/api/v1/manifestations", headers=unit)).json()
    assert [m["protocol"] for m in listing["items"]] == [mine.protocol]
    hidden = await balcao.client.get(f"/api/v1/manifestations/{other.protocol}", headers=unit)
    assert hidden.status_code == 404
    answer = await balcao.client.post(
        f"/api/v1/manifestations/{mine.protocol}/transitions",
        headers=unit,
        json={"to": "unit_answered", "reason": "obra retomada"},
    )
    assert answer.json()["state"] == "unit_answered"


async def test_only_the_ouvidor_sees_identity_and_every_view_is_audited(balcao: Balcao) -> None:
    receipt = await balcao.manifestation(
        "denúncia", kind=Kind.DENUNCIA, citizen=Citizen(name="Joana Quitéria")
    )
    path = f"/api/v1/manifestations/{receipt.protocol}/identity"
    _, atendente = await balcao.user("atendente")
    denied = await balcao.client.post(path, headers=atendente, json={"reason": "curiosidade"})
    assert denied.status_code == 403
    _, ouvidor = await balcao.user("ouvidor")
    shown = await balcao.client.post(path, headers=ouvidor, json={"reason": "apuração"})
    assert shown.json()["name"] == "Joana Quitéria"
    audit = (
        await balcao.client.get(
            "/api/v1/audit", headers=ouvidor, params={"action": "identity_view"}
        )
    ).json()
    assert [(a["actor"], a["detail"]["reason"]) for a in audit] == [
        ("user:ouvidor@example.org", "apuração")
    ]


async def test_plugins_endpoint_lists_plugins(balcao: Balcao) -> None:
    _, headers = await balcao.user("auditor")
    names = {
        p["name"]: p for p in (await balcao.client.get("/api/v1/plugins", headers=headers)).json()
    }
    assert names["fake"]["status"] == "active"
    assert "balcao_register_channels" in names["fake"]["hooks"]


async def test_tracking_shows_state_and_public_messages_only(balcao: Balcao) -> None:
    receipt = await balcao.manifestation("Meu pedido")
    _, headers = await balcao.user("atendente")
    base = f"/api/v1/manifestations/{receipt.protocol}/messages"
    await balcao.client.post(base, headers=headers, json={"text": "Resposta pública"})
    await balcao.client.post(base, headers=headers, json={"text": "nota secreta", "internal": True})
    response = await balcao.client.post(
        "/api/v1/tracking", json={"protocol": receipt.protocol, "access_code": receipt.access_code}
    )
    body = response.json()
    assert response.status_code == 200
    assert (body["state"], body["kind"], body["deadline"]) == ("triage", "reclamacao", "2026-12-31")
    assert [m["text"] for m in body["messages"]] == ["Meu pedido", "Resposta pública"]
    assert "secreta" not in response.text and "Maria" not in response.text


async def test_wrong_code_and_unknown_protocol_get_the_same_answer(balcao: Balcao) -> None:
    receipt = await balcao.manifestation()
    wrong = await balcao.client.post(
        "/api/v1/tracking", json={"protocol": receipt.protocol, "access_code": "AAAAA-AAAAA"}
    )
    unknown = await balcao.client.post(
        "/api/v1/tracking", json={"protocol": "2026-009999", "access_code": "AAAAA-AAAAA"}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()


async def test_tracking_is_rate_limited_per_address(make_balcao) -> None:  # type: ignore[no-untyped-def]
    b = await make_balcao(settings={"tracking_rate_limit_per_hour": 3})
    body = {"protocol": "2026-000001", "access_code": "x"}
    codes = [(await b.client.post("/api/v1/tracking", json=body)).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    b.clock.advance(hours=1, seconds=1)
    assert (await b.client.post("/api/v1/tracking", json=body)).status_code == 404


async def test_tracking_page_form(balcao: Balcao) -> None:
    receipt = await balcao.manifestation("<script>alert('x')</script> texto")
    page = await balcao.client.get("/acompanhar")
    token = page.cookies.get("csrftoken")
    assert token and 'name="_csrf_token"' in page.text
    response = await balcao.client.post(
        "/acompanhar",
        data={
            "protocol": receipt.protocol,
            "access_code": receipt.access_code or "",
            "_csrf_token": token,
        },
    )
    assert response.status_code == 200
    assert "Em triagem" in response.text
    assert "<script>alert" not in response.text and "&lt;script&gt;" in response.text
    forged = await balcao.client.post(
        "/acompanhar",
        data={"protocol": receipt.protocol, "access_code": "x", "_csrf_token": "forged"},
    )
    assert forged.status_code == 403
