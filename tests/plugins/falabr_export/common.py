"""Shortcuts shared by the tests: cases, staff requests, the audit log."""

from __future__ import annotations

from typing import Any

from balcao import Citizen, IncomingFile, Kind
from balcao.testing import Balcao

REGISTER = "/exports/falabr_export/manifestations/{}/register"
STATUS = "/exports/falabr_export/manifestations/{}"
NUP = "/exports/falabr_export/manifestations/{}/nup"
REPORT = "/exports/falabr_export/report"

MARIA = Citizen(name="Maria da Silva", email="maria@example.org", cpf="529.982.247-25")


async def new_case(
    app: Balcao,
    kind: Kind = Kind.RECLAMACAO,
    *,
    consent: bool = False,
    anonymous: bool = False,
    text: str = "O restaurante universitário fechou cedo.",
    files: tuple[IncomingFile, ...] = (),
) -> str:
    receipt = await app.manifestation(
        text,
        kind=kind,
        citizen=None if anonymous else MARIA,
        anonymous=anonymous,
        channel_address=None if anonymous else "+5565999990000",
        extra={"identity_consent": True} if consent else {},
        files=files,
    )
    return receipt.protocol


async def register(app: Balcao, protocol: str, mode: str = "api", role: str = "atendente") -> Any:
    _, headers = await app.user(role)
    return await app.client.post(REGISTER.format(protocol), json={"mode": mode}, headers=headers)


async def status(app: Balcao, protocol: str, role: str = "atendente") -> Any:
    _, headers = await app.user(role)
    return await app.client.get(STATUS.format(protocol), headers=headers)


async def audit(app: Balcao, protocol: str) -> list[dict[str, Any]]:
    _, headers = await app.user("ouvidor")
    response = await app.client.get("/api/v1/audit", params={"protocol": protocol}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    return body if isinstance(body, list) else body["items"]
