"""A balcão with every bundled plugin installed (external services unreachable: these
tests never need them), and a logged-in staff browser."""

from __future__ import annotations

import re
from typing import Any

import pytest

import balcao_falabr_export
import balcao_meet
import balcao_webform
import balcao_whatsapp
from balcao.testing import Balcao, RecordingChannel

PASSWORD = "uma-senha-longa-de-teste"
APP_SECRET = "segredo-do-app-de-teste"
NOWHERE = "http://127.0.0.1:9"  # nothing listens there


def full_settings(**extra: Any) -> dict[str, Any]:
    return {
        "plugins": {
            "whatsapp": {
                "app_secret": APP_SECRET,
                "verify_token": "verifica-123",
                "access_token": "token-de-teste",
                "phone_number_id": "1234567890",
                "graph_url": NOWHERE,
                "api_version": "v25.0",
                "timeout_seconds": 0.2,
            },
            "meet": {"fallback_link": "https://meet.example.org/sala-da-ouvidoria"},
            "falabr_export": {"ouvidoria_id": 4321, "base_url": NOWHERE, "timeout_seconds": 0.2},
            "webform": {"min_fill_seconds": 0},
        },
        **extra,
    }


@pytest.fixture
async def full(make_balcao: Any) -> Balcao:
    return await make_balcao(
        plugins=[
            ("fake", RecordingChannel()),
            ("webform", balcao_webform),
            ("whatsapp", balcao_whatsapp),
            ("meet", balcao_meet),
            ("falabr_export", balcao_falabr_export),
        ],
        settings=full_settings(),
    )


async def csrf_token(balcao: Balcao, path: str = "/staff/entrar") -> str:
    """Visit a page so the CSRF cookie is set; the token from its form."""
    response = await balcao.client.get(path)
    found = re.search(r'name="_csrf_token" value="([^"]+)"', response.text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


async def log_in(balcao: Balcao, role: str = "ouvidor", unit: str | None = None) -> str:
    """Log a browser in as a new ``role`` member; returns the CSRF token of its pages."""
    email = f"{role}-navegador@example.org"
    await balcao.user(role, email=email, unit=unit, password=PASSWORD)
    token = await csrf_token(balcao)
    response = await balcao.client.post(
        "/staff/entrar",
        data={"email": email, "password": PASSWORD, "_csrf_token": token, "next": "/staff"},
    )
    assert response.status_code == 200, response.text
    assert balcao.client.cookies.get("balcao_staff")
    return token
