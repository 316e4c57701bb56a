"""Balcão's WhatsApp channel on the WhatsApp Business Cloud API (Meta Graph API).

Webhook ``GET/POST /channels/whatsapp/webhook`` (handshake; signed, persisted, then
acknowledged), a pt-BR conversation that registers manifestations, and a delivery adapter
for staff replies that respects the 24-hour window, templates and Meta's limits.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from balcao import ChannelSpec, HomeCard, JobSpec, MigrationSpec, hookimpl, lazy_exports
from balcao_whatsapp._config import WhatsAppConfig, international_digits
from balcao_whatsapp._signature import sign, valid_signature

if TYPE_CHECKING:
    from balcao import Event, LookupColumn, PluginDesk, SealedColumn
    from balcao_whatsapp._adapter import WhatsAppAdapter
    from balcao_whatsapp._webhook import split

__all__ = [
    "WhatsAppAdapter",
    "WhatsAppConfig",
    "balcao_config_type",
    "balcao_on_event",
    "balcao_register_channels",
    "balcao_register_jobs",
    "balcao_register_migrations",
    "balcao_register_sealed_columns",
    "international_digits",
    "sign",
    "split",
    "valid_signature",
]

log = logging.getLogger("balcao.whatsapp")
# The hooks import the channel's pieces when called: the command line loads every plugin
# to list its commands, and must not pay for the web routes and the ORM.
__getattr__ = lazy_exports(
    __name__, {"WhatsAppAdapter": "balcao_whatsapp._adapter", "split": "balcao_whatsapp._webhook"}
)
_NOT_CONFIGURED = (
    "canal WhatsApp não configurado: defina app_secret, access_token e phone_number_id em "
    "[plugins.whatsapp] (ou BALCAO_WHATSAPP_*)"
)


@hookimpl
def balcao_config_type() -> type[WhatsAppConfig]:
    return WhatsAppConfig


@hookimpl
def balcao_register_channels(config: WhatsAppConfig) -> list[ChannelSpec]:
    from balcao_whatsapp._adapter import WhatsAppAdapter
    from balcao_whatsapp._conversation import Conversation
    from balcao_whatsapp._graph import GraphClient
    from balcao_whatsapp._inbound import InboundProcessor
    from balcao_whatsapp._media import MediaService
    from balcao_whatsapp._statuses import StatusService
    from balcao_whatsapp._webhook import WEBHOOK, route_handlers

    graph = GraphClient(config)
    media = MediaService(config, graph)
    processor = InboundProcessor(config, Conversation(config, media), StatusService(config))

    def adapter(cfg: Any, desk: PluginDesk) -> WhatsAppAdapter:
        return WhatsAppAdapter(cfg, desk, GraphClient(cfg))

    return [
        ChannelSpec(
            name="whatsapp",
            title="WhatsApp",
            route_handlers=route_handlers,
            webhooks=[WEBHOOK],
            adapter=adapter,
            inbound=processor,
            card=_card(config),
            not_configured=None if config.configured else _NOT_CONFIGURED,
        )
    ]


def _card(config: WhatsAppConfig) -> HomeCard | None:
    """The home page card, only when the public number is configured (a card without a
    number to write to would lead nowhere)."""
    if config.chat_url is None:
        return None
    return HomeCard(
        title="WhatsApp",
        description="Converse com a ouvidoria pelo WhatsApp: registre e acompanhe "
        "sua manifestação pelo celular.",
        url=config.chat_url,
        action="Abrir conversa",
        order=10,
        detail=config.display_number.strip(),
    )


@hookimpl
def balcao_register_jobs(config: WhatsAppConfig) -> list[JobSpec]:
    from balcao_whatsapp._conversation import Conversation
    from balcao_whatsapp._graph import GraphClient
    from balcao_whatsapp._jobs import jobs
    from balcao_whatsapp._media import MediaService
    from balcao_whatsapp._statuses import StatusService

    graph = GraphClient(config)
    media = MediaService(config, graph)
    return jobs(media, StatusService(config), graph, Conversation(config, media))


@hookimpl
def balcao_register_migrations() -> list[MigrationSpec]:
    return [MigrationSpec(location=Path(__file__).parent / "migrations")]


@hookimpl
def balcao_register_sealed_columns() -> tuple[SealedColumn | LookupColumn, ...]:
    from balcao_whatsapp._store import SEALED_COLUMNS

    return SEALED_COLUMNS


@hookimpl
async def balcao_on_event(event: Event, desk: PluginDesk) -> None:
    from balcao import Closed, SurveyRequested
    from balcao_whatsapp._notices import conclusion_notice
    from balcao_whatsapp._survey import ask

    registered = desk.channels.get("whatsapp")
    if registered is None:
        return
    if isinstance(event, Closed):
        await conclusion_notice(event, desk, registered.config)
    elif isinstance(event, SurveyRequested):
        await ask(event, desk, registered.config)
