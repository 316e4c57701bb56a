"""The plugin's own limits on attachments: how many, how large, which types (by content)."""

from __future__ import annotations

from collections.abc import Sequence

from balcao import IncomingFile, safe_filename, sniff_media_type
from balcao_webform._config import MEDIA_TYPES, WebformConfig

__all__ = ["check_files", "types_text"]


def types_text(config: WebformConfig) -> str:
    """The allowed types as a citizen reads them: ``PDF, JPG, PNG``."""
    return ", ".join(e.upper() for e in config.extensions)


def check_files(
    files: Sequence[IncomingFile], config: WebformConfig
) -> tuple[tuple[IncomingFile, ...], list[str]]:
    """The files that pass (renamed safely) and one problem per refused file or limit."""
    if files and config.max_files == 0:
        return (), ["Este formulário não aceita anexos."]
    problems = []
    if len(files) > config.max_files:
        problems.append(f"Envie no máximo {config.max_files} arquivos (foram {len(files)}).")
    accepted = []
    for incoming in files:
        named = IncomingFile(
            filename=safe_filename(incoming.filename),
            content=incoming.content,
            declared_type=incoming.declared_type,
        )
        problem = _problem(named, config)
        if problem is None:
            accepted.append(named)
        else:
            problems.append(f"“{named.filename}”: {problem}")
    return tuple(accepted), problems


def _problem(incoming: IncomingFile, config: WebformConfig) -> str | None:
    name, _, extension = incoming.filename.rpartition(".")
    extension = extension.lower() if name else ""
    if extension not in config.extensions:
        return f"tipo de arquivo não aceito; envie {types_text(config)}."
    if not incoming.content:
        return "o arquivo está vazio."
    if len(incoming.content) > config.max_file_bytes:
        size = f"{len(incoming.content) / (1024 * 1024):.1f}".replace(".", ",")
        return f"tem {size} MB; o limite é {config.max_file_mb} MB por arquivo."
    if sniff_media_type(incoming.content) != MEDIA_TYPES[extension]:
        return f"o conteúdo não é de um arquivo {extension.upper()}; confira o arquivo."
    return None
