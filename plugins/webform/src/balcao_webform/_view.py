"""What the form's template needs to show the form again, with values and errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from balcao_webform._config import WebformConfig
from balcao_webform._fields import Draft, Errors
from balcao_webform._files import types_text
from balcao_webform._guard import HONEYPOT
from balcao_webform._kinds import KIND_CHOICES
from balcao_webform._stash import Kept

__all__ = ["form_context"]


def form_context(
    config: WebformConfig,
    ticket: str,
    draft: Draft | None = None,
    errors: Errors | None = None,
    kept_token: str = "",
    kept_files: Sequence[Kept] = (),
    notice: str = "",
) -> dict[str, Any]:
    """The form's template context; ``kept_files`` were received on an earlier try."""
    errors = errors or {}
    return {
        "kinds": KIND_CHOICES,
        "values": (draft or Draft()).values(),
        "errors": errors,
        "summary": [(field, message) for field, message in errors.items()],
        "ticket": ticket,
        "honeypot": HONEYPOT,
        "kept_token": kept_token,
        "kept_files": list(kept_files),
        "notice": notice,
        "max_files": config.max_files,
        "max_file_mb": config.max_file_mb,
        "types_text": types_text(config),
        "accept": ",".join(f".{e}" for e in config.extensions),
    }
