"""What staff see, read through the REST API."""

from __future__ import annotations

from typing import Any

from balcao.testing import Balcao


async def headers(balcao: Balcao) -> dict[str, str]:
    return (await balcao.user("ouvidor"))[1]


async def cases(balcao: Balcao) -> list[dict[str, Any]]:
    response = await balcao.client.get(
        "/api/v1/manifestations", params={"per_page": 100}, headers=await headers(balcao)
    )
    assert response.status_code == 200
    return sorted(response.json()["items"], key=lambda m: m["protocol"])


async def detail(balcao: Balcao, protocol: str) -> dict[str, Any]:
    response = await balcao.client.get(
        f"/api/v1/manifestations/{protocol}", headers=await headers(balcao)
    )
    assert response.status_code == 200
    return dict(response.json())


async def messages(balcao: Balcao, protocol: str, direction: str) -> list[dict[str, Any]]:
    return [e for e in (await detail(balcao, protocol))["timeline"] if e["type"] == direction]
