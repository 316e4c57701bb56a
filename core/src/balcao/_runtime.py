"""Everything one app instance (or one worker) needs, built once from the settings."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from balcao._clock import Clock, SystemClock
from balcao._config import ConfigError, Settings, load_settings
from balcao._db.engine import Database
from balcao._db.migrate import upgrade
from balcao._host import PluginError, PluginHost
from balcao._keys import MIN_SECRET_LENGTH, KeyRing, load_or_create_secret
from balcao._specs import (
    ActionSpec,
    ChannelSpec,
    ExporterSpec,
    JobSpec,
    MigrationSpec,
    Registered,
)

if TYPE_CHECKING:
    from balcao._desk import Desk
    from balcao._worker import Worker

__all__ = ["AdminRuntime", "Runtime", "build_admin_runtime", "build_runtime"]

log = logging.getLogger("balcao")
KEY_FILE = "balcao.secret"


@dataclass
class Runtime:
    settings: Settings
    host: PluginHost
    desk: Desk
    worker: Worker
    exporters: list[Registered[ExporterSpec]]
    migrations: list[Registered[MigrationSpec]]
    actions: list[Registered[ActionSpec]]
    key_generated: bool

    @property
    def migration_locations(self) -> list[Path]:
        return [m.spec.location for m in self.migrations]

    @property
    def database(self) -> Database:
        return self.desk.database

    async def upgrade_database(self) -> None:
        await upgrade(self.desk.database, self.migration_locations)

    async def close(self) -> None:
        await self.desk.database.dispose()


@dataclass
class AdminRuntime:
    """The settings, the database with every installed migration, and the keys: what the
    administrative commands (users, tokens) need, without the desk and the channels' web
    routes, so that they start in a fraction of the time."""

    settings: Settings
    database: Database
    keys: KeyRing
    migration_locations: list[Path]
    clock: Clock

    def now(self) -> dt.datetime:
        return self.clock.now()

    async def upgrade_database(self) -> None:
        await upgrade(self.database, self.migration_locations)

    async def close(self) -> None:
        await self.database.dispose()


def build_admin_runtime(strict: bool = True) -> AdminRuntime:
    """Like :func:`build_runtime`, with the plugins asked only for their migrations."""
    settings = load_settings()
    host = PluginHost(settings)
    if strict:
        host.require_healthy()
    keys, _ = _secret(settings)
    locations = [m.spec.location for m in host.collect("balcao_register_migrations")]
    return AdminRuntime(settings, Database(settings.database_url), keys, locations, SystemClock())


def _unique(found: Sequence[Registered[Any]], what: str) -> None:
    seen: dict[str, str] = {}
    for item in found:
        name = item.spec.name
        if name in seen:
            raise PluginError(
                f"{what} '{name}' registrado duas vezes: plugins '{seen[name]}' e '{item.plugin}'"
            )
        seen[name] = item.plugin


def _secret(settings: Settings) -> tuple[KeyRing, bool]:
    key_file = settings.data_dir / KEY_FILE
    configured = settings.secret_key
    if configured is None and settings.secret_key_file:
        configured = _read_key_file(Path(settings.secret_key_file))
    secret, generated = load_or_create_secret(configured, key_file)
    if generated:
        log.warning(
            "BALCAO_SECRET_KEY não configurada: chave gerada em %s (somente o dono "
            "pode ler). Faça cópia de segurança dela: sem ela as identidades "
            "cifradas ficam ilegíveis.",
            key_file,
        )
    return KeyRing(secret, tuple(settings.previous_secret_keys)), generated


def _read_key_file(path: Path) -> str:
    try:
        key = path.read_text().strip()
    except OSError as exc:
        raise ConfigError(f"BALCAO_SECRET_KEY_FILE: não foi possível ler {path}: {exc}") from exc
    if len(key) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"BALCAO_SECRET_KEY_FILE: a chave em {path} tem menos de {MIN_SECRET_LENGTH} caracteres"
        )
    return key


def build_runtime(
    settings: Settings | None = None,
    *,
    plugins: Sequence[tuple[str, object]] = (),
    load_entrypoints: bool = True,
    environ: Mapping[str, str] | None = None,
    clock: Clock | None = None,
    strict: bool = True,
) -> Runtime:
    """Load settings and plugins, collect their specs; ``strict`` refuses failed plugins."""
    from balcao._desk import Desk
    from balcao._routing.loader import load_rules
    from balcao._worker import Worker

    settings = settings or load_settings(environ)
    host = PluginHost(settings, plugins=plugins, load_entrypoints=load_entrypoints, environ=environ)
    if strict:
        host.require_healthy()
    keys, generated = _secret(settings)
    desk = Desk(
        settings=settings,
        host=host,
        database=Database(settings.database_url),
        keys=keys,
        calendar=settings.calendar(),
        clock=clock or SystemClock(),
    )
    for sealed in host.collect("balcao_register_sealed_columns"):
        try:
            desk.seals.add(sealed.spec)
        except ValueError as exc:
            raise PluginError(f"plugin '{sealed.plugin}': {exc}") from exc
    channels = host.collect("balcao_register_channels")
    exporters = host.collect("balcao_register_exporters")
    _unique(channels, "canal")
    _unique(exporters, "exportador")
    desk.channels = {c.spec.name: c for c in channels}
    desk.rules = load_rules(
        settings.routing, desk.calendar, host.collect("balcao_register_routing_rules")
    )
    jobs: list[Registered[JobSpec]] = host.collect("balcao_register_jobs")
    actions: list[Registered[ActionSpec]] = host.collect("balcao_register_actions")
    _unique(actions, "ação")
    return Runtime(
        settings,
        host,
        desk,
        Worker(desk, jobs),
        exporters,
        host.collect("balcao_register_migrations"),
        actions,
        generated,
    )


def template_directories(runtime: Runtime) -> list[Path]:
    specs: list[ChannelSpec | ExporterSpec] = [c.spec for c in runtime.desk.channels.values()]
    specs += [e.spec for e in runtime.exporters]
    extra = [s.template_directory for s in specs if s.template_directory]
    return [Path(__file__).parent / "templates", *extra]
