"""The webhook: handshake, signature, batches, duplicates."""

from __future__ import annotations

import asyncio
import json

from whatsapp_payloads import CITIZEN, WhatsApp, envelope, value

from balcao_whatsapp import sign


async def test_handshake_echoes_the_challenge_with_the_right_token(wa: WhatsApp) -> None:
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": "verifica-123",
        "hub.challenge": "1158201444",
    }
    response = await wa.b.client.get("/channels/whatsapp/webhook", params=query)
    assert response.status_code == 200
    assert response.text == "1158201444"
    assert response.headers["content-type"].startswith("text/plain")


async def test_handshake_refuses_a_wrong_token_or_mode(wa: WhatsApp) -> None:
    for mode, token in (("subscribe", "errado"), ("unsubscribe", "verifica-123")):
        query = {"hub.mode": mode, "hub.verify_token": token, "hub.challenge": "42"}
        response = await wa.b.client.get("/channels/whatsapp/webhook", params=query)
        assert response.status_code == 403
        assert "42" not in response.text


async def test_missing_or_wrong_signature_is_refused_and_nothing_stored(wa: WhatsApp) -> None:
    body = wa.body(envelope(value(messages=[wa.text("Quero reclamar")])))
    assert (await wa.post_raw(body, signature=None)).status_code == 401
    assert (await wa.post_raw(body, signature=sign("outro-segredo", body))).status_code == 401
    reserialized = json.dumps(json.loads(body), indent=1).encode()
    assert (await wa.post_raw(body, signature=sign(wa.secret, reserialized))).status_code == 401
    assert (await wa.post_raw(body, signature="sha256=zz")).status_code == 401
    await wa.b.run_worker(3)
    assert await wa.manifestations() == []
    assert wa.graph.attempts == []


async def test_signature_is_over_the_raw_unicode_escaped_bytes(wa: WhatsApp) -> None:
    raw = (
        '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":'
        '{"messaging_product":"whatsapp","metadata":{"phone_number_id":"106540352242922"},'
        '"contacts":[{"profile":{"name":"Jos\\u00e9"},"wa_id":"5565999990000"}],'
        f'"messages":[{{"from":"5565999990000","id":"wamid.UNI1","timestamp":"{wa.ts()}",'
        '"type":"text","text":{"body":"Ol\\u00e1 \\ud83d\\udc4d"}}]},"field":"messages"}]}]}'
    ).encode()
    response = await wa.post_raw(raw)
    assert response.status_code == 200
    assert response.json() == {"received": 1, "new": 1}


async def test_every_entry_change_and_message_of_a_batch_is_handled(wa: WhatsApp) -> None:
    senders = ["5565911110001", "5565911110002", "5565911110003", "5565911110004"]
    values = [
        value(messages=[wa.text("Oi", sender=s), wa.text("Bom dia", sender=s)]) for s in senders
    ]
    response = await wa.post(envelope(*values, entries=2))
    assert response.json() == {"received": 8, "new": 8}
    await wa.b.run_worker(4)
    for sender in senders:
        said = wa.texts_sent(sender)
        assert said[0].startswith("Olá! Aqui é o assistente automático")
        # both messages handled: the greeting's menu, and no second menu within the burst
        assert len([t for t in said if t.startswith("Como posso ajudar?")]) == 1
        assert len(said) == 2


async def test_the_same_message_delivered_twice_at_once_is_processed_once(wa: WhatsApp) -> None:
    body = wa.body(envelope(value(messages=[wa.text("Oi, preciso de ajuda")])))
    first, second = await asyncio.gather(wa.post_raw(body), wa.post_raw(body))
    assert {first.status_code, second.status_code} == {200}
    assert first.json()["new"] + second.json()["new"] == 1
    await wa.post_raw(body)  # and a retry days later
    await wa.b.run_worker(3)
    said = wa.texts_sent()
    assert len(said) == 2  # one greeting and one menu
    assert said[0].startswith("Olá!")


async def test_other_fields_and_empty_notifications_are_acknowledged(wa: WhatsApp) -> None:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "account_update", "value": {}}]}],
    }
    assert (await wa.post(payload)).json() == {"received": 0, "new": 0}
    assert (await wa.post({"object": "whatsapp_business_account"})).json()["received"] == 0


async def test_a_signed_body_that_is_not_a_notification_gets_400(wa: WhatsApp) -> None:
    response = await wa.post_raw(b'{"entry": "nope"}')
    assert response.status_code == 400
    assert CITIZEN not in response.text
