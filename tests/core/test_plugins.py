"""The plugin host: discovery, isolation of broken plugins, configuration, hooks."""

from __future__ import annotations

import pytest

from balcao import PluginError, PluginHost, load_settings
from balcao._runtime import build_runtime

GREETER = """
import msgspec
from litestar import get
from litestar.di import NamedDependency
from balcao import ChannelSpec, HomeCard, hookimpl

class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    greeting: str = "Olá"
    repeat: int = 1

@get("/hello")
async def hello(config: NamedDependency[Config]) -> dict:
    return {"text": config.greeting * config.repeat}

@hookimpl
def balcao_config_type():
    return Config

@hookimpl
def balcao_register_channels(config):
    return [ChannelSpec(name="greeter", title="Saudação", route_handlers=[hello],
                        card=HomeCard(title="Canal Saudação", description="Diga olá.",
                                      url="/channels/greeter/hello"))]
"""

ONLY = {"BALCAO_DISABLE_PLUGINS": "webform,whatsapp,meet,falabr_export,email"}


def _settings(**values: object):  # type: ignore[no-untyped-def]
    return load_settings({}, database_url="sqlite+aiosqlite://", secret_key="x" * 32, **values)


async def test_entry_point_plugin_is_discovered_and_its_routes_mounted(
    install_plugin,
    make_balcao,  # type: ignore[no-untyped-def]
) -> None:
    install_plugin("greeter", GREETER)
    b = await make_balcao(
        load_entrypoints=True,
        environ={**ONLY, "BALCAO_GREETER_REPEAT": "2"},
        settings={"plugins": {"greeter": {"greeting": "Oi! "}}},
    )
    response = await b.client.get("/channels/greeter/hello")
    assert response.json() == {"text": "Oi! Oi! "}
    home = await b.client.get("/")
    assert "Canal Saudação" in home.text
    record = b.runtime.host.records["greeter"]
    assert (record.distribution, record.version, record.status) == ("demo-greeter", "1.0", "active")


def test_a_broken_plugin_is_reported_by_name_and_the_others_load(install_plugin) -> None:  # type: ignore[no-untyped-def]
    install_plugin("greeter", GREETER)
    install_plugin("broken", "raise ImportError('falta a biblioteca xyz')\n")
    host = PluginHost(_settings(), environ=ONLY)
    assert host.records["broken"].status == "failed"
    assert "falta a biblioteca xyz" in (host.records["broken"].reason or "")
    assert host.records["greeter"].status == "active"
    with pytest.raises(PluginError, match="plugin 'broken'"):
        build_runtime(_settings(), environ=ONLY)


def test_bad_plugin_config_stops_start_up_naming_plugin_and_field(install_plugin) -> None:  # type: ignore[no-untyped-def]
    install_plugin("greeter", GREETER)
    with pytest.raises(PluginError) as error:
        build_runtime(_settings(), environ={**ONLY, "BALCAO_GREETER_REPEAT": "muitas"})
    message = str(error.value)
    assert "plugin 'greeter'" in message
    assert "BALCAO_GREETER_REPEAT: esperado um número inteiro, recebido 'muitas'" in message


def test_unknown_config_key_is_refused(install_plugin) -> None:  # type: ignore[no-untyped-def]
    install_plugin("greeter", GREETER)
    with pytest.raises(PluginError, match="greetng"):
        build_runtime(_settings(plugins={"greeter": {"greetng": "x"}}), environ=ONLY)


def test_a_hook_with_a_misspelled_name_fails_at_start_up(install_plugin) -> None:  # type: ignore[no-untyped-def]
    install_plugin(
        "typo", "from balcao import hookimpl\n\n@hookimpl\ndef balcao_on_evnt(event):\n    pass\n"
    )
    host = PluginHost(_settings(), environ=ONLY)
    assert host.records["typo"].status == "failed"
    assert "balcao_on_evnt" in (host.records["typo"].reason or "")


def test_disabled_plugins_are_listed_but_not_loaded(install_plugin) -> None:  # type: ignore[no-untyped-def]
    install_plugin("broken", "raise ImportError('x')\n")
    host = PluginHost(_settings(), environ={"BALCAO_DISABLE_PLUGINS": "broken"})
    assert host.records["broken"].status == "disabled"
    host.require_healthy()


def test_two_plugins_registering_the_same_channel_name_are_named(install_plugin) -> None:  # type: ignore[no-untyped-def]
    install_plugin("greeter", GREETER)
    install_plugin("copycat", GREETER.replace("balcao_config_type", "_unused"))
    with pytest.raises(PluginError, match=r"'copycat'|'greeter'"):
        build_runtime(_settings(), environ=ONLY)


def test_a_registration_hook_that_raises_names_its_plugin() -> None:
    from balcao import hookimpl

    class Faulty:
        @hookimpl
        def balcao_register_channels(self) -> list[object]:
            raise ValueError("esqueci o nome")

    with pytest.raises(PluginError, match="plugin 'faulty': balcao_register_channels"):
        build_runtime(_settings(), plugins=[("faulty", Faulty())], load_entrypoints=False)
