"""Webhook payloads in the documented Cloud API shapes, signed like Meta signs them, and
functions to read what the balcão did."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from typing import Any

from whatsapp_fake_graph import PHONE_ID, FakeGraph

from balcao.testing import Balcao
from balcao_whatsapp import sign

_ids = itertools.count(1)
CITIZEN = "5565999990000"


def wamid() -> str:
    return f"wamid.HBgLNTU2NTk5OTk5MDAwMBUCABIYFDNB{next(_ids):06d}="


def envelope(*values: dict[str, Any], entries: int = 1) -> dict[str, Any]:
    """``values`` spread over ``entries`` entries, one change each."""
    chunks = [values[i::entries] for i in range(entries)]
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": f"10229012934039{n}",
                "changes": [{"value": value, "field": "messages"} for value in chunk],
            }
            for n, chunk in enumerate(chunks)
        ],
    }


def value(
    messages: list[dict[str, Any]] = (),
    statuses: list[dict[str, Any]] = (),
    contacts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "556536158000", "phone_number_id": PHONE_ID},
    }
    if messages:
        found["contacts"] = (
            contacts
            if contacts is not None
            else [
                {"profile": {"name": "Maria da Silva"}, "wa_id": m["from"]}
                for m in messages
                if "from" in m
            ]
        )
        found["messages"] = list(messages)
    if statuses:
        found["statuses"] = list(statuses)
    return found


class WhatsApp:
    """A balcão with the plugin, the fake Graph server, and the webhook's secret."""

    def __init__(self, balcao: Balcao, graph: FakeGraph, secret: str) -> None:
        self.b = balcao
        self.graph = graph
        self.secret = secret

    @property
    def desk(self) -> Any:
        return self.b.desk

    def ts(self) -> str:
        return str(int(self.b.clock.now().timestamp()))

    # -- building messages --------------------------------------------------------------

    def text(self, body: str, sender: str = CITIZEN, **extra: Any) -> dict[str, Any]:
        return {
            "from": sender,
            "id": wamid(),
            "timestamp": self.ts(),
            "type": "text",
            "text": {"body": body},
            **extra,
        }

    def list_reply(
        self, option: str, sender: str = CITIZEN, reply_id: str | None = None
    ) -> dict[str, Any]:
        return {
            "from": sender,
            "id": wamid(),
            "timestamp": self.ts(),
            "type": "interactive",
            "interactive": {
                "type": "list_reply",
                "list_reply": {"id": reply_id or f"menu:{option}", "title": option},
            },
        }

    def button_reply(self, reply_id: str, title: str, sender: str = CITIZEN) -> dict[str, Any]:
        return {
            "from": sender,
            "id": wamid(),
            "timestamp": self.ts(),
            "type": "interactive",
            "interactive": {
                "type": "button_reply",
                "button_reply": {"id": reply_id, "title": title},
            },
        }

    def media(
        self,
        kind: str,
        media_id: str,
        content: bytes,
        mime: str,
        sender: str = CITIZEN,
        **fields: Any,
    ) -> dict[str, Any]:
        digest = self.graph.add_media(media_id, content, mime)
        return {
            "from": sender,
            "id": wamid(),
            "timestamp": self.ts(),
            "type": kind,
            kind: {"mime_type": mime, "sha256": digest, "id": media_id, **fields},
        }

    def status(self, message_id: str, state: str, **extra: Any) -> dict[str, Any]:
        return {
            "id": message_id,
            "status": state,
            "timestamp": self.ts(),
            "recipient_id": CITIZEN,
            **extra,
        }

    # -- talking to the webhook ---------------------------------------------------------

    def body(self, payload: dict[str, Any]) -> bytes:
        return json.dumps(payload).encode()

    async def post_raw(self, body: bytes, signature: str | None = "auto") -> Any:
        headers = {"Content-Type": "application/json"}
        if signature == "auto":
            headers["X-Hub-Signature-256"] = sign(self.secret, body)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        return await self.b.client.post("/channels/whatsapp/webhook", content=body, headers=headers)

    async def post(self, payload: dict[str, Any]) -> Any:
        response = await self.post_raw(self.body(payload))
        assert response.status_code == 200, response.text
        return response

    async def send(self, *messages: dict[str, Any], rounds: int = 3) -> None:
        """Deliver messages one webhook each, then let the worker process and reply."""
        for message in messages:
            await self.post(envelope(value(messages=[message])))
            await self.b.run_worker(rounds)

    async def deliver_later_statuses(self) -> None:
        statuses = list(self.graph.later_statuses)
        self.graph.later_statuses.clear()
        if statuses:
            await self.post(envelope(value(statuses=statuses)))

    # -- reading what happened ----------------------------------------------------------

    async def staff(self) -> dict[str, str]:
        return (await self.b.user("ouvidor"))[1]

    async def manifestations(self) -> list[dict[str, Any]]:
        response = await self.b.client.get(
            "/api/v1/manifestations?channel=whatsapp", headers=await self.staff()
        )
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    async def detail(self, protocol: str) -> dict[str, Any]:
        response = await self.b.client.get(
            f"/api/v1/manifestations/{protocol}", headers=await self.staff()
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def messages(self, protocol: str, kind: str = "inbound") -> list[dict[str, Any]]:
        return [e for e in (await self.detail(protocol))["timeline"] if e["type"] == kind]

    async def reply(self, protocol: str, text: str) -> None:
        response = await self.b.client.post(
            f"/api/v1/manifestations/{protocol}/messages",
            json={"text": text},
            headers=await self.staff(),
        )
        assert response.status_code == 201, response.text

    def answers(self) -> list[str]:
        """The text messages sent, without the heading that opens the ouvidoria's."""
        bodies = [p["text"]["body"] for p in self.graph.sent if p["type"] == "text"]
        return [without_heading(b) for b in bodies]

    def texts_sent(self, to: str = CITIZEN) -> list[str]:
        """What the citizen received, as text (interactive bodies and templates named)."""
        found = []
        for payload in self.graph.sent:
            if payload.get("to", payload.get("recipient")) != to:
                continue
            kind = payload["type"]
            if kind == "text":
                found.append(payload["text"]["body"])
            elif kind == "interactive":
                found.append(payload["interactive"]["body"]["text"])
            else:
                found.append(f"template:{payload['template']['name']}")
        return found


HEADING = re.compile(r"^Ouvidoria da UFMT — protocolo \d{4}-\d{6}( \(parte \d+ de \d+\))?:\n")


def without_heading(body: str) -> str:
    return HEADING.sub("", body, count=1)


CUIABA = dt.timezone(dt.timedelta(hours=-4))


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment on the balcão's clock (Cuiabá)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=CUIABA)
