"""The plugin's configuration: ``[plugins.webform]`` in balcao.toml."""

from __future__ import annotations

import logging

import msgspec

from balcao import Settings

__all__ = ["MEDIA_TYPES", "WebformConfig", "within_core_limits"]

log = logging.getLogger("balcao.webform")

# Extensions an operator may allow, and the type the content must really have.
MEDIA_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "txt": "text/plain",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "mp4": "video/mp4",
}

_DEFAULT_TYPES = ["pdf", "jpg", "jpeg", "png", "doc", "docx", "odt", "txt", "mp3", "mp4"]


class WebformConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Settings of the web form channel (see docs/plugins/webform.md)."""

    max_files: int = 10
    max_file_mb: int = 10
    allowed_types: list[str] = msgspec.field(default_factory=lambda: list(_DEFAULT_TYPES))
    rate_limit_per_hour: int = 5
    min_fill_seconds: int = 2
    max_form_age_hours: int = 12
    cors_origins: list[str] = []

    def __post_init__(self) -> None:
        _at_least("max_files", self.max_files, 0)
        _at_least("max_file_mb", self.max_file_mb, 1)
        _at_least("rate_limit_per_hour", self.rate_limit_per_hour, 1)
        _at_least("min_fill_seconds", self.min_fill_seconds, 0)
        _at_least("max_form_age_hours", self.max_form_age_hours, 1)
        bad = [o for o in self.cors_origins if not _is_origin(o)]
        if bad:
            raise ValueError(
                f"cors_origins: {', '.join(bad)} não é uma origem; use esquema e nome, "
                "por exemplo https://www.ufmt.br (sem caminho nem barra final)"
            )
        unknown = [t for t in self.allowed_types if t.lower().lstrip(".") not in MEDIA_TYPES]
        if unknown:
            raise ValueError(
                f"allowed_types: tipo(s) desconhecido(s) {', '.join(unknown)}; "
                f"use extensões entre {', '.join(MEDIA_TYPES)}"
            )

    @property
    def extensions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.lower().lstrip(".") for t in self.allowed_types))

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 1024 * 1024

    @property
    def max_request_bytes(self) -> int:
        """The whole request: every file at its limit plus room for the text fields.
        A request above this is refused before it is read."""
        return max(self.max_files, 1) * self.max_file_bytes + 1024 * 1024


def _is_origin(value: str) -> bool:
    scheme, _, rest = value.partition("://")
    return scheme in ("http", "https") and bool(rest) and "/" not in rest


def _at_least(name: str, value: int, minimum: int) -> None:
    if value < minimum:
        raise ValueError(f"{name}: use um número maior ou igual a {minimum} (recebido {value})")


def within_core_limits(config: WebformConfig, settings: Settings) -> WebformConfig:
    """The configuration narrowed to what the core stores (``max_attachment_mb``,
    ``allowed_attachment_types``), so the form never promises a file the core refuses;
    each narrowing is logged for the operator."""
    refused = [
        e for e in config.extensions if MEDIA_TYPES[e] not in settings.allowed_attachment_types
    ]
    if refused:
        log.warning(
            "webform: allowed_types %s are not in the core's allowed_attachment_types; "
            "the form does not offer them",
            ", ".join(refused),
        )
    size = min(config.max_file_mb, settings.max_attachment_mb)
    if size < config.max_file_mb:
        log.warning(
            "webform: max_file_mb %d is above the core's max_attachment_mb; using %d",
            config.max_file_mb,
            size,
        )
    allowed = [e for e in config.extensions if e not in refused]
    files = config.max_files if allowed else 0  # no type left: no file field at all
    return msgspec.structs.replace(config, allowed_types=allowed, max_file_mb=size, max_files=files)
