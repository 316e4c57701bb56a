"""Small helpers shared by the meet plugin's tests."""

from __future__ import annotations

import re
from typing import Any

from balcao.testing import Balcao

FALLBACK = "https://meet.google.com/fix-ouvi-dor"
SLOTS = "/channels/meet/api/slots"
BOOKINGS = "/channels/meet/api/bookings"


def booking(start: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "start": start,
        "kind": "reclamacao",
        "description": "O restaurante universitário fechou mais cedo sem aviso.",
        "citizen": {"name": "Maria da Silva", "email": "maria@example.org", "phone": None},
        "consent": True,
    }
    body.update(overrides)
    return body


def with_phone(
    start: str, phone: str = "(65) 99988-7766", email: str | None = None
) -> dict[str, Any]:
    return booking(start, citizen={"name": "João Souza", "email": email, "phone": phone})


async def starts(b: Balcao, first: str, days: int = 1) -> list[str]:
    response = await b.client.get(SLOTS, params={"from": first, "days": days})
    assert response.status_code == 200, response.text
    return [slot["start"] for slot in response.json()]


async def book(b: Balcao, body: dict[str, Any]) -> dict[str, Any]:
    response = await b.client.post(BOOKINGS, json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def timeline(b: Balcao, protocol: str) -> list[dict[str, Any]]:
    _, headers = await b.user("ouvidor")
    response = await b.client.get(f"/api/v1/manifestations/{protocol}", headers=headers)
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["timeline"]
    return entries


async def notes(b: Balcao, protocol: str) -> list[str]:
    return [e["text"] for e in await timeline(b, protocol) if e["type"] == "internal"]


def csrf_token(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the form has no CSRF token"
    return match.group(1)
