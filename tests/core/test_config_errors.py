"""A bad configuration value is refused with a message a person can act on: the setting as
they wrote it (the environment variable, or the key in balcao.toml), what is expected and
what was given, in pt-BR; for the core's settings and a plugin's alike."""

from __future__ import annotations

from typing import Any

import pytest

from balcao import ConfigError, load_settings
from balcao._config import load_plugin_config
from balcao_email._config import EmailConfig
from balcao_whatsapp._config import WhatsAppConfig

SECRET = "k" * 40


def _plugin_error(kind: type[Any], plugin: str, environ: dict[str, str], table: Any = None) -> str:
    settings = load_settings({}, secret_key=SECRET, plugins={plugin: table or {}})
    with pytest.raises(ConfigError) as refused:
        load_plugin_config(plugin, kind, settings, environ)
    return str(refused.value)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"BALCAO_EMAIL_SMTP_PORT": "abc"},
            "BALCAO_EMAIL_SMTP_PORT: esperado um número inteiro, recebido 'abc'",
        ),
        (
            {"BALCAO_EMAIL_SEND_ACCESS_CODE": "talvez"},
            "BALCAO_EMAIL_SEND_ACCESS_CODE: esperado sim ou não (true ou false), recebido 'talvez'",
        ),
        (
            {"BALCAO_EMAIL_SMTP_SECURITY": "ssl"},
            "BALCAO_EMAIL_SMTP_SECURITY: valor não aceito 'ssl': use starttls, tls, none",
        ),
        (
            {"BALCAO_EMAIL_SMTP_TIMEOUT_SECONDS": "meio minuto"},
            "BALCAO_EMAIL_SMTP_TIMEOUT_SECONDS: esperado um número, recebido 'meio minuto'",
        ),
    ],
)
def test_a_plugin_setting_from_the_environment_is_named_as_written(
    environ: dict[str, str], message: str
) -> None:
    assert _plugin_error(EmailConfig, "email", environ) == message


def test_a_url_the_plugin_refuses_names_the_variable_and_the_value() -> None:
    message = _plugin_error(WhatsAppConfig, "whatsapp", {"BALCAO_WHATSAPP_GRAPH_URL": "ftp://x"})
    assert message == (
        "BALCAO_WHATSAPP_GRAPH_URL: graph_url deve começar com http:// ou https://, "
        "recebido 'ftp://x'"
    )


def test_a_list_given_as_one_word_in_the_file_names_the_key() -> None:
    message = _plugin_error(EmailConfig, "email", {}, {"notify_channels": "webform"})
    assert message == "[plugins.email] notify_channels: esperado uma lista, recebido 'webform'"


def test_a_bad_item_of_a_list_from_the_environment_names_the_variable() -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings({"BALCAO_OPENING_DAYS": "0,1,sexta"}, secret_key=SECRET)
    assert str(refused.value) == (
        "BALCAO_OPENING_DAYS: esperado um número inteiro, recebido 'sexta'"
    )


def test_a_misspelt_key_in_the_file_is_named() -> None:
    message = _plugin_error(EmailConfig, "email", {}, {"smtp_portt": 587})
    assert message.startswith("[plugins.email] smtp_portt: campo desconhecido")


def test_a_core_setting_from_the_file_names_the_key_and_the_file(tmp_path: Any) -> None:
    config = tmp_path / "balcao.toml"
    config.write_text("tracking_rate_limit_per_hour = 'muitos'\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings({"BALCAO_CONFIG": str(config)}, secret_key=SECRET)
    assert str(refused.value) == (
        f"tracking_rate_limit_per_hour (em {config}): esperado um número inteiro, recebido 'muitos'"
    )
