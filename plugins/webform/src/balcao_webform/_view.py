"""What the form's template needs to show the form again, with values and errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from balcao_webform._config import WebformConfig
from balcao_webform._fields import Draft, Errors
from balcao_webform._files import types_text
from balcao_webform._guard import HONEYPOT
from balcao_webform._kinds import KIND_CHOICES

__all__ = ["form_context"]


def form_context(
    config: WebformConfig,
    ticket: str,
    draft: Draft | None = None,
    errors: Errors | None = None,
    reattach: Sequence[str] = (),
) -> dict[str, Any]:
    """The form's template context; ``reattach`` names files to choose again."""
    errors = errors or {}
    return {
        "kinds": KIND_CHOICES,
        "values": (draft or Draft()).values(),
        "errors": errors,
        "summary": [(field, message) for field, message in errors.items()],
        "ticket": ticket,
        "honeypot": HONEYPOT,
        "reattach": list(reattach),
        "max_files": config.max_files,
        "max_file_mb": config.max_file_mb,
        "types_text": types_text(config),
        "accept": ",".join(f".{e}" for e in config.extensions),
    }
