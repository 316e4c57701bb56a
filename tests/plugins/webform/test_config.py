"""Configuration: refused at start-up with a message naming the field; env overrides."""

from __future__ import annotations

import pytest

import balcao_webform
from balcao import ConfigError, PluginError

from .conftest import PDF, Citizen, MakeBalcao, error_of, identified, squash


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"allowed_types": ["pdf", "exe"]}, "exe"),
        ({"max_file_mb": 0}, "max_file_mb"),
        ({"rate_limit_per_hour": 0}, "rate_limit_per_hour"),
        ({"max_filez": 3}, "max_filez"),
        ({"cors_origins": ["https://www.ufmt.br/portal"]}, "cors_origins"),
    ],
)
async def test_bad_config_is_refused_naming_the_field(
    make_balcao: MakeBalcao, settings: dict[str, object], named: str
) -> None:
    with pytest.raises((ConfigError, PluginError)) as refused:
        await make_balcao(
            plugins=[("webform", balcao_webform)], settings={"plugins": {"webform": settings}}
        )
    assert "webform" in str(refused.value)
    assert named in str(refused.value)


async def test_environment_overrides_the_file(make_balcao: MakeBalcao) -> None:
    app = await make_balcao(
        plugins=[("webform", balcao_webform)],
        environ={"BALCAO_WEBFORM_ALLOWED_TYPES": "txt", "BALCAO_WEBFORM_MAX_FILES": "1"},
    )
    page = await Citizen(app).open_form()
    assert "Até 1 arquivo de até 10 MB" in squash(page) and 'accept=".txt"' in page
    response = await Citizen(app).submit(identified(), [("a.pdf", PDF, "application/pdf")])
    assert "envie TXT" in error_of(response.text, "attachments")


async def test_no_attachments_when_max_files_is_zero(make_balcao: MakeBalcao) -> None:
    app = await make_balcao(
        plugins=[("webform", balcao_webform)], settings={"plugins": {"webform": {"max_files": 0}}}
    )
    citizen = Citizen(app)
    assert 'type="file"' not in await citizen.open_form()
    response = await citizen.submit(identified(), [("a.pdf", PDF, "application/pdf")])
    assert response.status_code == 422
    assert "Este formulário não aceita anexos." in response.text


async def test_without_the_plugin_the_home_page_has_no_card(make_balcao: MakeBalcao) -> None:
    app = await make_balcao(plugins=[])
    assert "/channels/webform/" not in (await app.client.get("/")).text
    assert (await app.client.get("/channels/webform/")).status_code == 404


async def test_the_form_never_promises_what_the_core_refuses(make_balcao: MakeBalcao) -> None:
    app = await make_balcao(
        plugins=[("webform", balcao_webform)],
        settings={
            "max_attachment_mb": 2,
            "allowed_attachment_types": ["application/pdf", "image/png"],
            "plugins": {"webform": {"max_file_mb": 10, "allowed_types": ["pdf", "png", "mp3"]}},
        },
    )
    page = squash(await Citizen(app).open_form())
    assert "de até 2 MB cada: PDF, PNG." in page
    response = await Citizen(app).submit(identified(), [("a.mp3", b"ID3\x03" + b"\x00" * 64, "")])
    assert "tipo de arquivo não aceito; envie PDF, PNG." in error_of(response.text, "attachments")
