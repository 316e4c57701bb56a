"""Configuration: bad values refused at start-up, naming the field; other numbers ignored."""

from __future__ import annotations

import pytest
from whatsapp_payloads import WhatsApp, envelope, value

from balcao import PluginError


async def test_a_bad_graph_url_is_refused_at_start_up(make_whatsapp) -> None:
    with pytest.raises(PluginError) as refused:
        await make_whatsapp(graph_url="graph.facebook.com")
    assert "whatsapp" in str(refused.value)
    assert "graph_url" in str(refused.value)


async def test_an_unknown_field_is_refused(make_whatsapp) -> None:
    with pytest.raises(PluginError) as refused:
        await make_whatsapp(acess_token="typo")
    assert "acess_token" in str(refused.value)


async def test_notifications_for_another_number_are_acknowledged_and_ignored(
    wa: WhatsApp,
) -> None:
    body = value(messages=[wa.text("Oi")])
    body["metadata"]["phone_number_id"] = "999999999"
    await wa.post(envelope(body))
    await wa.b.run_worker(3)
    assert wa.graph.attempts == []
    assert await wa.manifestations() == []


async def test_without_app_secret_posts_are_refused(make_whatsapp) -> None:
    wa = await make_whatsapp(app_secret="")
    response = await wa.post_raw(wa.body(envelope(value(messages=[wa.text("Oi")]))))
    assert response.status_code == 503
    assert "app_secret" in response.json()["detail"]


async def test_the_ouvidoria_s_texts_replace_the_defaults(make_whatsapp) -> None:
    wa = await make_whatsapp(texts={"menu": "Em que podemos ajudar?"})
    await wa.send(wa.text("Oi"))
    assert wa.texts_sent()[-1] == "Em que podemos ajudar?"


@pytest.mark.parametrize(
    ("texts", "named"),
    [
        ({"saudacao": "Oi"}, "texts.saudacao"),
        ({"registered": "Protocolo {protocolo}"}, "{protocolo}"),
    ],
)
async def test_a_text_with_an_unknown_key_or_field_is_refused(
    make_whatsapp, texts: dict[str, str], named: str
) -> None:
    with pytest.raises(PluginError) as refused:
        await make_whatsapp(texts=texts)
    assert named in str(refused.value)
