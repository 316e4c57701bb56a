"""Balcão plugin: the web form channel.

A citizen registers a manifestation at ``/channels/webform/`` (HTML, works without
JavaScript) or through ``POST /channels/webform/api/manifestations`` (JSON). Configured by
``[plugins.webform]`` (see :class:`WebformConfig`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from balcao import ChannelSpec, HomeCard, Settings, hookimpl, lazy_exports
from balcao_webform._config import WebformConfig, within_core_limits
from balcao_webform._cpf import valid_cpf

if TYPE_CHECKING:
    from balcao_webform._api import IntakeError, IntakeIn, IntakeOut

__all__ = [
    "IntakeError",
    "IntakeIn",
    "IntakeOut",
    "WebformConfig",
    "balcao_config_type",
    "balcao_register_channels",
    "valid_cpf",
]

_HERE = Path(__file__).parent
# the web pieces are imported when used: the command line loads every plugin
__getattr__ = lazy_exports(
    __name__, dict.fromkeys(("IntakeError", "IntakeIn", "IntakeOut"), "balcao_webform._api")
)


@hookimpl
def balcao_config_type() -> type[WebformConfig]:
    """``[plugins.webform]`` is validated as :class:`WebformConfig`."""
    return WebformConfig


@hookimpl
def balcao_register_channels(config: WebformConfig, settings: Settings) -> list[ChannelSpec]:
    """The ``webform`` channel: the form, the JSON intake, its static files, the home card."""
    from litestar.static_files import create_static_files_router

    from balcao_webform._api import api_routes
    from balcao_webform._pages import page_routes

    config = within_core_limits(config, settings)
    static = create_static_files_router(
        "/static", [_HERE / "static"], name="webform_static", include_in_schema=False
    )
    return [
        ChannelSpec(
            name="webform",
            title="Formulário web",
            route_handlers=[*page_routes(config), *api_routes(config), static],
            card=HomeCard(
                title="Formulário web",
                description="Registre sua manifestação a qualquer hora, com anexos. Você "
                "recebe um protocolo e um código para acompanhar.",
                url="/channels/webform/",
                action="Preencher o formulário",
                order=30,
            ),
            template_directory=_HERE / "templates",
        )
    ]
