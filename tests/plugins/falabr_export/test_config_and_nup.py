"""Configuration (validated, secrets hidden), the NUP rules and the staff page action."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import pytest

import balcao_falabr_export
from balcao.testing import Balcao
from balcao_falabr_export import FalabrConfig, InvalidNup, format_nup, parse_nup

from .common import new_case, register
from .conftest import plugin_settings
from .fake_meouv import CREDENTIALS, FakeMeOuv

MakeBalcao = Callable[..., Awaitable[Balcao]]


@pytest.mark.parametrize(
    "typed", ["23037.001462/2021-65", "23037001462202165", " 23037 001462 2021 65 "]
)
def test_nup_accepted_with_or_without_punctuation(typed: str) -> None:
    assert parse_nup(typed) == "23037001462202165"
    assert format_nup(parse_nup(typed)) == "23037.001462/2021-65"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("23037.001462/2021-56", "verificadores"),
        ("23037.001462/2021-6", "17 dígitos"),
        ("23037.00146A/2021-65", "17 dígitos"),
        ("", "17 dígitos"),
    ],
)
def test_nup_refused(typed: str, reason: str) -> None:
    with pytest.raises(InvalidNup, match=reason):
        parse_nup(typed)


def test_secrets_never_in_repr() -> None:
    config = FalabrConfig(**CREDENTIALS)
    text = repr(config)
    assert CREDENTIALS["client_secret"] not in text
    assert CREDENTIALS["password"] not in text
    assert "client_id='balcao-ufmt'" in text


async def test_bad_configuration_refused_at_start(make_balcao: MakeBalcao) -> None:
    with pytest.raises(Exception, match="falabr_export") as caught:
        await make_balcao(
            plugins=[("falabr_export", balcao_falabr_export)],
            settings={"plugins": {"falabr_export": {"base_url": "ftp://falabr"}}},
        )
    assert "base_url" in str(caught.value)


async def test_environment_overrides_configuration(make_balcao: MakeBalcao) -> None:
    app = await make_balcao(
        plugins=[("falabr_export", balcao_falabr_export)],
        environ={"BALCAO_FALABR_EXPORT_BASE_URL": "https://treinafalabr.cgu.gov.br"},
    )
    protocol = await new_case(app)
    response = await register(app, protocol)  # no credentials: explained, nothing recorded
    assert response.status_code == 409
    assert "client_id" in response.json()["detail"]
    assert "'staff'" in response.json()["detail"]


async def test_secrets_not_logged_during_a_registration(
    app: Balcao, meouv: FakeMeOuv, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    meouv.script("create", 401, 500)
    await register(app, await new_case(app))
    assert caplog.text
    for secret in (CREDENTIALS["client_secret"], CREDENTIALS["password"]):
        assert secret not in caplog.text


async def test_wrong_credentials_are_explained(make_balcao: MakeBalcao, meouv: FakeMeOuv) -> None:
    settings = plugin_settings(meouv)
    settings["plugins"]["falabr_export"]["password"] = "errada"
    app = await make_balcao(plugins=[("falabr_export", balcao_falabr_export)], settings=settings)
    response = await register(app, await new_case(app))
    assert response.status_code == 422
    assert "credenciais" in response.json()["detail"]
    assert "usuário ou senha inválidos" in response.json()["detail"]
    assert meouv.created == []


async def test_staff_page_offers_the_action(app: Balcao) -> None:
    protocol = await new_case(app)
    for role, expected in (("atendente", True), ("auditor", False)):
        _, headers = await app.user(role)
        detail = (
            await app.client.get(f"/api/v1/manifestations/{protocol}", headers=headers)
        ).json()
        titles = [a["title"] for a in detail["actions"]]
        assert ("Registrar no Fala.BR" in titles) is expected


async def test_routes_are_in_the_openapi_document(app: Balcao) -> None:
    response = await app.client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/exports/falabr_export/manifestations/{protocol}/register" in paths
    assert "/exports/falabr_export/report" in paths
