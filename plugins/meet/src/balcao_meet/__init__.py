"""Balcão plugin: Google Meet video attendance channel.

Citizens book a slot inside opening hours at ``/channels/meet/``; each booking becomes a
manifestation (channel ``meet``) with its own Meet link (Google Calendar with a service
account) or the configured fixed link. Staff see the agenda under ``/exports/meet/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from balcao import (
    ActionSpec,
    ChannelSpec,
    CommandSpec,
    ExporterSpec,
    HomeCard,
    JobSpec,
    MigrationSpec,
    PluginDesk,
    hookimpl,
    lazy_exports,
)
from balcao_meet._config import MeetConfig

if TYPE_CHECKING:
    from balcao import Event, PluginDesk
    from balcao_meet._bookings import BookingClosed, Bookings, Confirmation, SlotTaken
    from balcao_meet._models import BookingRow, Status

__all__ = [
    "BookingClosed",
    "BookingRow",
    "Bookings",
    "Confirmation",
    "MeetConfig",
    "SlotTaken",
    "Status",
    "balcao_config_type",
    "balcao_on_event",
    "balcao_register_actions",
    "balcao_register_channels",
    "balcao_register_commands",
    "balcao_register_exporters",
    "balcao_register_jobs",
    "balcao_register_migrations",
]

_HERE = Path(__file__).parent
# The hooks import the channel's pieces when called: the command line loads every plugin
# to list its commands, and must not pay for the web routes and the ORM.
__getattr__ = lazy_exports(
    __name__,
    {
        "BookingClosed": "balcao_meet._bookings",
        "Bookings": "balcao_meet._bookings",
        "Confirmation": "balcao_meet._bookings",
        "SlotTaken": "balcao_meet._bookings",
        "BookingRow": "balcao_meet._models",
        "Status": "balcao_meet._models",
    },
)


@hookimpl
def balcao_config_type() -> type[MeetConfig]:
    return MeetConfig


@hookimpl
def balcao_register_channels(config: MeetConfig) -> list[ChannelSpec]:
    from balcao_meet._api import API_ROUTES
    from balcao_meet._delivery import RelayAdapter
    from balcao_meet._pages import PAGE_ROUTES

    return [
        ChannelSpec(
            name="meet",
            title="Atendimento por vídeo",
            route_handlers=[*PAGE_ROUTES, *API_ROUTES],
            adapter=RelayAdapter,
            card=HomeCard(
                title="Atendimento por vídeo",
                description="Agende uma conversa pelo Google Meet com a ouvidoria, em horário "
                "de atendimento. Não precisa de conta no Google.",
                url="/channels/meet/",
                action="Agendar",
                order=30,
            ),
            template_directory=_HERE / "templates",
        )
    ]


@hookimpl
def balcao_register_exporters() -> list[ExporterSpec]:
    from balcao_meet._staff import STAFF_ROUTES

    return [
        ExporterSpec(
            name="meet",
            title="Agenda de atendimentos por vídeo",
            route_handlers=STAFF_ROUTES,
            template_directory=_HERE / "templates",
        )
    ]


@hookimpl
def balcao_register_actions() -> list[ActionSpec]:
    return [
        ActionSpec(
            name="meet.agenda",
            title="Agenda de atendimentos por vídeo",
            path="/exports/meet/agenda?period=week",
            roles=frozenset({"ouvidor", "atendente", "auditor"}),
        )
    ]


@hookimpl
def balcao_register_commands(config: MeetConfig) -> list[CommandSpec]:
    from balcao_meet._command import check_command

    return [CommandSpec(command=check_command(config))]


@hookimpl
def balcao_register_jobs(config: MeetConfig) -> list[JobSpec]:
    from balcao_meet._jobs import jobs

    return jobs(config)


@hookimpl
def balcao_register_migrations() -> list[MigrationSpec]:
    return [MigrationSpec(location=_HERE / "migrations")]


@hookimpl
async def balcao_on_event(event: Event, desk: PluginDesk) -> None:
    from balcao import Closed
    from balcao_meet._closing import on_closed

    if isinstance(event, Closed) and event.protocol:
        registered = desk.channels.get("meet")
        if registered is not None:
            await on_closed(event, desk, registered.config)
