"""A channel's webhook (``ChannelSpec.webhooks``): the core reads the body, asks the plugin
to check it and split it, stores every event, and only then answers 200. Whatever goes wrong
before the store is answered with a status the provider acts on, and nothing is stored."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar, Router
from sqlalchemy import text

from balcao import ChannelSpec, InboundItem, PluginDesk, WebhookRefusal, WebhookSpec, hookimpl
from balcao.testing import Balcao

TOKEN = "segredo-do-provedor"
PATH = "/channels/sinal/eventos"


def _check(config: Any, headers: Mapping[str, str], body: bytes) -> WebhookRefusal | None:
    if headers.get("authorization") != f"Bearer {TOKEN}":
        return WebhookRefusal(401, "token do provedor ausente ou inválido")
    return None


def _items(body: bytes, config: Any, desk: PluginDesk) -> Iterator[InboundItem]:
    try:
        events = msgspec.json.decode(body, type=list[dict[str, str]])
    except msgspec.DecodeError as exc:
        raise ValueError("esperava uma lista de eventos JSON") from exc
    for event in events:
        if event.get("id") == "quebra":
            raise RuntimeError("um defeito do plugin")
        yield InboundItem(event["id"], msgspec.json.encode(event), event.get("de"))


class Sinal:
    """A channel whose provider posts a JSON list of events with a bearer token."""

    @hookimpl
    def balcao_register_channels(self) -> list[ChannelSpec]:
        webhook = WebhookSpec(
            path="/eventos",
            check=_check,
            items=_items,
            summary="Receber eventos do Sinal",
            max_body=2048,
        )
        return [ChannelSpec(name="sinal", title="Sinal", webhooks=[webhook])]


@pytest.fixture
async def sinal(make_balcao: Any) -> Balcao:
    balcao: Balcao = await make_balcao(plugins=[("sinal", Sinal())])
    return balcao


def _post(balcao: Balcao, body: object, token: str = TOKEN, **headers: str) -> Any:
    content = body if isinstance(body, bytes) else msgspec.json.encode(body)
    auth = {"authorization": f"Bearer {token}", **headers}
    return balcao.client.post(PATH, content=content, headers=auth)


async def _stored(balcao: Balcao) -> list[tuple[str, str | None]]:
    async with balcao.desk.database.read() as session:
        rows = await session.execute(
            text(
                "SELECT external_id, ordering_key FROM inbound_events "
                "WHERE channel = 'sinal' ORDER BY id"
            )
        )
        return [(row[0], row[1]) for row in rows]


async def test_every_event_is_stored_before_the_200_and_a_redelivery_only_once(
    sinal: Balcao,
) -> None:
    events = [{"id": "e1", "de": "ana"}, {"id": "e2", "de": "bia"}, {"id": "e3"}]
    first = await _post(sinal, events)
    assert (first.status_code, first.json()) == (200, {"received": 3, "new": 3})
    assert await _stored(sinal) == [("e1", "ana"), ("e2", "bia"), ("e3", None)]
    again = await _post(sinal, [*events[1:], {"id": "e4"}])
    assert again.json() == {"received": 3, "new": 1}
    assert [key for key, _ in await _stored(sinal)] == ["e1", "e2", "e3", "e4"]


async def test_a_refusal_is_answered_as_the_plugin_says_and_nothing_is_stored(
    sinal: Balcao,
) -> None:
    answer = await _post(sinal, [{"id": "e1"}], token="errado")
    assert answer.status_code == 401
    assert answer.json() == {"detail": "token do provedor ausente ou inválido"}
    assert await _stored(sinal) == []


async def test_a_body_the_plugin_does_not_recognise_is_a_400(sinal: Balcao) -> None:
    answer = await _post(sinal, b"<xml/>")
    assert answer.status_code == 400
    assert "esperava uma lista de eventos JSON" in answer.json()["detail"]
    assert await _stored(sinal) == []


async def test_a_plugin_defect_is_a_500_naming_the_plugin_and_stores_nothing(
    sinal: Balcao, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="balcao"):
        answer = await _post(sinal, [{"id": "e1"}, {"id": "quebra"}])
    assert answer.status_code == 500
    assert "defeito" not in answer.text  # no traceback or message for the caller
    assert await _stored(sinal) == []  # not even the events before the defect
    logged = [r for r in caplog.records if "'sinal'" in r.getMessage()]
    assert logged and logged[0].exc_info is not None


async def test_a_body_past_the_limit_is_a_413_and_is_not_stored(sinal: Balcao) -> None:
    answer = await _post(sinal, [{"id": f"e{n}", "de": "x" * 40} for n in range(60)])
    assert answer.status_code == 413
    assert answer.json() == {"detail": "corpo maior que 2048 bytes"}
    assert await _stored(sinal) == []


async def test_the_answer_has_the_security_headers_and_a_request_id(sinal: Balcao) -> None:
    answer = await _post(sinal, [{"id": "e1"}])
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert len(answer.headers["x-request-id"]) == 16


async def test_a_host_not_allowed_is_refused_before_the_webhook(make_balcao: Any) -> None:
    balcao: Balcao = await make_balcao(
        plugins=[("sinal", Sinal())], environ={"BALCAO_ALLOWED_HOSTS": "ouvidoria.example.org"}
    )
    answer = await _post(balcao, [{"id": "e1"}])
    assert answer.status_code == 400
    assert await _stored(balcao) == []


async def test_the_webhook_is_in_the_openapi_schema(sinal: Balcao) -> None:
    schema = (await sinal.client.get("/schema/openapi.json")).json()
    assert schema["paths"][PATH]["post"]["summary"] == "Receber eventos do Sinal"


async def test_as_a_litestar_route_the_webhook_answers_the_same(sinal: Balcao) -> None:
    from balcao._web.webhooks import lanes

    [lane] = lanes(sinal.desk.channels.values(), sinal.desk).values()
    app = Litestar([Router("/channels/sinal", route_handlers=[lane.route()])])
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        auth = {"authorization": f"Bearer {TOKEN}"}
        stored = await client.post(PATH, content=b'[{"id": "r1"}]', headers=auth)
        refused = await client.post(PATH, content=b'[{"id": "r2"}]')
        too_big = await client.post(PATH, content=b" " * 4096, headers=auth)
    assert (stored.status_code, stored.json()) == (200, {"received": 1, "new": 1})
    assert refused.status_code == 401
    assert too_big.status_code == 413
    assert await _stored(sinal) == [("r1", None)]


async def test_when_the_database_fails_the_answer_is_a_500_and_the_provider_resends(
    sinal: Balcao,
) -> None:
    async def rename(old: str, new: str) -> None:
        async with sinal.desk.database.write() as session:
            await session.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))

    await rename("inbound_events", "inbound_events_away")
    failed = await _post(sinal, [{"id": "e1"}])
    await rename("inbound_events_away", "inbound_events")
    assert (failed.status_code, failed.json()) == (500, {"detail": "Internal Server Error"})
    resent = await _post(sinal, [{"id": "e1"}])
    assert resent.json() == {"received": 1, "new": 1}
    assert await _stored(sinal) == [("e1", None)]
