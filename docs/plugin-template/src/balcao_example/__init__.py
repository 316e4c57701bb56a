"""An example Balcão plugin: suggestions typed at a kiosk on campus."""

from __future__ import annotations

import logging

import msgspec
from litestar import post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from balcao import (
    ChannelSpec,
    EventBase,
    HomeCard,
    Kind,
    ManifestationCreated,
    NewManifestation,
    PluginDesk,
    Receipt,
    hookimpl,
)

__all__ = ["Config", "KioskEntry"]

log = logging.getLogger(__name__)


class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``[plugins.example]`` in balcao.toml, or ``BALCAO_EXAMPLE_<FIELD>``."""

    kiosk_name: str = "Quiosque da reitoria"
    max_length: int = 2000


class KioskEntry(msgspec.Struct, frozen=True):
    text: str


@post("/api/suggestions", status_code=201, opt={"exclude_from_csrf": True})
async def suggest(
    desk: NamedDependency[PluginDesk], config: NamedDependency[Config], data: JSONBody[KioskEntry]
) -> Receipt:
    """Register a suggestion typed at the kiosk."""
    return await desk.intake(
        NewManifestation(
            kind=Kind.SUGESTAO,
            channel="example",
            description=data.text[: config.max_length],
            subject=f"Sugestão — {config.kiosk_name}",
        )
    )


@hookimpl
def balcao_config_type() -> type[Config]:
    return Config


@hookimpl
def balcao_register_channels(config: Config) -> list[ChannelSpec]:
    return [
        ChannelSpec(
            name="example",
            title=config.kiosk_name,
            route_handlers=[suggest],
            card=HomeCard(
                title=config.kiosk_name,
                url="/channels/example/api/suggestions",
                description="Deixe sua sugestão no quiosque.",
            ),
        )
    ]


@hookimpl
async def balcao_on_event(event: EventBase) -> None:
    if isinstance(event, ManifestationCreated) and event.channel == "example":
        log.info("nova sugestão do quiosque: %s", event.protocol)
