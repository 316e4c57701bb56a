"""Balcão plugin: formal registration on Fala.BR (API, staff or citizen) and reporting exports.

Hooks only; the pieces live in private modules, imported by the hook that needs them (the
command line loads every plugin to list its commands). See ``docs/plugins/falabr_export.md``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from balcao import (
    ActionSpec,
    CommandSpec,
    ExporterSpec,
    JobSpec,
    MigrationSpec,
    Settings,
    hookimpl,
)
from balcao_falabr_export._config import PRODUCTION_URL, TRAINING_URL, FalabrConfig
from balcao_falabr_export._nup import InvalidNup, format_nup, parse_nup

if TYPE_CHECKING:
    from balcao import PluginDesk, SealedColumn

__all__ = [
    "PRODUCTION_URL",
    "TRAINING_URL",
    "FalabrConfig",
    "InvalidNup",
    "format_nup",
    "parse_nup",
]

NAME = "falabr_export"


@hookimpl
def balcao_config_type() -> type[FalabrConfig]:
    return FalabrConfig


@hookimpl
def balcao_register_exporters() -> list[ExporterSpec]:
    from balcao_falabr_export._page import PAGE_ROUTES
    from balcao_falabr_export._routes import ROUTES

    return [
        ExporterSpec(
            name=NAME,
            title="Fala.BR",
            route_handlers=[*ROUTES, *PAGE_ROUTES],
            template_directory=Path(__file__).parent / "templates",
        )
    ]


@hookimpl
def balcao_register_actions() -> list[ActionSpec]:
    return [
        ActionSpec(
            name=f"{NAME}.register",
            title="Registrar no Fala.BR",
            path=f"/exports/{NAME}/manifestations/{{protocol}}/page",
            roles=frozenset({"ouvidor", "atendente"}),
            method="GET",
        )
    ]


@hookimpl
def balcao_register_commands(config: FalabrConfig, settings: Settings) -> list[CommandSpec]:
    from balcao_falabr_export._cli import build_command

    return [CommandSpec(command=build_command(config, settings))]


@hookimpl
def balcao_register_jobs(config: FalabrConfig) -> list[JobSpec]:
    from balcao_falabr_export._api_mode import retry_due
    from balcao_falabr_export._status import poll_due

    async def retry(desk: PluginDesk) -> None:
        await retry_due(desk, config)

    async def poll(desk: PluginDesk) -> None:
        await poll_due(desk, config)

    return [
        JobSpec(name=f"{NAME}.retry", run=retry, every=dt.timedelta(minutes=1)),
        JobSpec(name=f"{NAME}.status", run=poll, every=dt.timedelta(minutes=5)),
    ]


@hookimpl
def balcao_register_sealed_columns() -> list[SealedColumn]:
    from balcao_falabr_export._models import ACCESS_CODE

    return [ACCESS_CODE]


@hookimpl
def balcao_register_migrations() -> list[MigrationSpec]:
    return [MigrationSpec(location=Path(__file__).parent / "migrations")]
