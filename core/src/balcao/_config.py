"""Settings: ``balcao.toml`` (or ``BALCAO_CONFIG``) overridden by ``BALCAO_*`` variables."""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from balcao._config_errors import explain
from balcao._domain.calendar import BusinessCalendar, Closure, Period
from balcao._keys import MIN_SECRET_LENGTH
from balcao._services.attachments import DEFAULT_TYPES

__all__ = ["ConfigError", "Settings", "load_plugin_config", "load_settings", "read_config_file"]

T = TypeVar("T")
_PREFIX = "BALCAO_"
_SECTIONS = ("plugins", "routing")
MIN_RETENTION_DAYS = 7


class ConfigError(Exception):
    """Configuration that cannot be used; the message names the setting and the fix."""


class ClosureConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    start: dt.date
    end: dt.date
    reason: str = "Recesso"


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The core's settings. Every field can be set as ``BALCAO_<FIELD>``."""

    database_url: str = "sqlite+aiosqlite:///balcao.db"
    secret_key: str | None = None
    secret_key_file: str | None = None
    previous_secret_keys: list[str] = []
    ouvidoria_name: str = "Ouvidoria"
    public_url: str = "http://127.0.0.1:8000"
    falabr_url: str = "https://falabr.cgu.gov.br"
    timezone: str = "America/Cuiaba"
    holiday_subdivision: str = "MT"
    opening_days: list[int] = msgspec.field(default_factory=lambda: [0, 1, 2, 3, 4])
    opening_hours: list[str] = msgspec.field(default_factory=lambda: ["07:30-11:30", "13:30-17:30"])
    closures: list[ClosureConfig] = []
    tracking_rate_limit_per_hour: int = 30
    files_dir: str | None = None
    max_attachment_mb: int = 10
    allowed_attachment_types: list[str] = msgspec.field(
        default_factory=lambda: sorted(DEFAULT_TYPES)
    )
    outbox_max_attempts: int = 8
    outbox_base_delay_seconds: float = 10.0
    inbound_max_attempts: int = 10
    event_max_attempts: int = 8
    lease_seconds: float = 30.0
    send_concurrency: int = 4
    sends_per_second: float = 20.0
    worker_poll_seconds: float = 5.0
    # hours a processed inbound event keeps its (sealed) body before it is emptied
    inbound_retention_hours: float = 24.0
    # days finished deliveries, inbound events and events are kept (then pruned)
    delivery_retention_days: float = 30.0
    deadline_warning_days: int = 5
    survey_change_days: int = 7
    transparency_cache_seconds: float = 600.0
    vlibras: bool = False
    disable_plugins: list[str] = []
    allowed_hosts: list[str] = msgspec.field(default_factory=lambda: ["*"])
    trusted_proxies: list[str] = []
    log_level: str = "INFO"
    log_format: str = "text"
    access_log: bool = True
    metrics_enabled: bool = False
    metrics_token: str | None = None
    metrics_allow: list[str] = []
    worker_stale_seconds: float = 300.0
    migrate_on_start: bool = False
    plugins: dict[str, dict[str, Any]] = {}
    routing: dict[str, Any] = {}

    def __post_init__(self) -> None:
        if self.secret_key is not None and len(self.secret_key) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"BALCAO_SECRET_KEY tem {len(self.secret_key)} caracteres; use pelo menos "
                f"{MIN_SECRET_LENGTH} (por exemplo: python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')"
            )
        if self.delivery_retention_days < MIN_RETENTION_DAYS:
            # a shorter memory of inbound ids would let a late webhook redelivery through
            raise ConfigError(
                f"BALCAO_DELIVERY_RETENTION_DAYS: use pelo menos {MIN_RETENTION_DAYS} dias "
                "(canais como o WhatsApp reenviam um evento por até 7 dias)"
            )

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite (one writer at a time)."""
        return self.database_url.startswith("sqlite")

    @property
    def data_dir(self) -> Path:
        """Where the SQLite file lives (or the working directory): key file and uploads go here."""
        if self.is_sqlite and ":///" in self.database_url:
            path = self.database_url.split(":///", 1)[1].split("?", 1)[0]
            if path and path != ":memory:":
                return Path(path).resolve().parent
        return Path.cwd()

    @property
    def attachments_dir(self) -> Path:
        """Where attachments are stored: ``files_dir``, or ``balcao-files`` beside the data."""
        return Path(self.files_dir) if self.files_dir else self.data_dir / "balcao-files"

    def calendar(self) -> BusinessCalendar:
        """The business calendar these settings describe; :class:`ConfigError` for an unknown time
        zone."""
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(
                f"BALCAO_TIMEZONE: fuso horário desconhecido {self.timezone!r}"
            ) from exc
        try:
            periods = tuple(Period.parse(p) for p in self.opening_hours)
        except ValueError as exc:
            raise ConfigError(f"opening_hours: {exc}; use 'HH:MM-HH:MM'") from exc
        closures = tuple(Closure(c.start, c.end, c.reason) for c in self.closures)
        return BusinessCalendar(
            zone, frozenset(self.opening_days), periods, closures, self.holiday_subdivision
        )


def config_path(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("BALCAO_CONFIG", "balcao.toml"))


def read_config_file(path: Path, required: bool = False) -> dict[str, Any]:
    """The TOML document at ``path`` ({} when absent and not required)."""
    if not path.exists():
        if required:
            raise ConfigError(f"arquivo de configuração não encontrado: {path}")
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: TOML inválido: {exc}") from exc


def _env_value(raw: str, annotation: Any) -> Any:
    if str(annotation).startswith("list[") and not raw.lstrip().startswith("["):
        return [item.strip() for item in raw.split(",") if item.strip()]
    if raw.lstrip().startswith(("[", "{")):
        return msgspec.json.decode(raw)
    return raw


def _overrides(
    fields: tuple[msgspec.structs.FieldInfo, ...], prefix: str, environ: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The values the environment sets, and which variable set each field."""
    found: dict[str, Any] = {}
    names: dict[str, str] = {}
    for field in fields:
        name = prefix + field.name.upper()
        raw = environ.get(name)
        if raw:  # an empty variable means "not set"
            found[field.name], names[field.name] = _env_value(raw, field.type), name
    return found, names


def _convert(data: dict[str, Any], kind: type[T], table: str, from_env: Mapping[str, str]) -> T:
    try:
        return msgspec.convert(data, kind, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(explain(exc, data, kind, table, from_env)) from exc


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings from the config file and the environment; keyword overrides win (tests)."""
    environ = os.environ if environ is None else environ
    path = config_path(environ)
    document = read_config_file(path, required="BALCAO_CONFIG" in environ)
    from_environ, names = _overrides(msgspec.structs.fields(Settings), _PREFIX, environ)
    document.update(from_environ)
    document.update(overrides)
    return _convert(document, Settings, str(path), names)


def load_plugin_config(
    plugin: str, config_type: type[T], settings: Settings, environ: Mapping[str, str] | None = None
) -> T:
    """``[plugins.<plugin>]`` with ``BALCAO_<PLUGIN>_<FIELD>`` overrides, validated."""
    environ = os.environ if environ is None else environ
    document = dict(settings.plugins.get(plugin, {}))
    prefix = f"{_PREFIX}{plugin.upper()}_"
    names: dict[str, str] = {}
    if issubclass(config_type, msgspec.Struct):
        from_environ, names = _overrides(msgspec.structs.fields(config_type), prefix, environ)
        document.update(from_environ)
    return _convert(document, config_type, f"[plugins.{plugin}]", names)
