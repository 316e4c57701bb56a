"""One intake path for the HTML form and the JSON endpoint: validate, limit, register."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from balcao import (
    AttachmentRejected,
    IncomingFile,
    InvalidManifestation,
    PluginDesk,
    RateLimited,
    Receipt,
)
from balcao_webform._config import WebformConfig
from balcao_webform._fields import FIELD_ORDER, Draft, Errors, to_manifestation, validate
from balcao_webform._files import check_files
from balcao_webform._guard import ONCE_PREFIX, Limit, per_address

__all__ = ["DUPLICATE", "RATE_LIMITED", "Outcome", "problems", "register"]

log = logging.getLogger("balcao.webform")

RATE_LIMITED = "Muitos envios deste endereço na última hora. Tente de novo mais tarde."
DUPLICATE = (
    "Esta manifestação já foi enviada e está registrada. Use o protocolo e o código de "
    "acesso recebidos no primeiro envio."
)
# The core names its fields as NewManifestation does; the form's names differ a little.
_CORE_FIELDS = {"citizen": "name", "files": "attachments"}


@dataclass
class Outcome:
    """A receipt, or the errors per field with the HTTP status that goes with them."""

    receipt: Receipt | None = None
    errors: Errors = field(default_factory=dict)
    status: int = 201


async def register(
    desk: PluginDesk,
    config: WebformConfig,
    draft: Draft,
    files: Sequence[IncomingFile],
    address: str,
    once: Limit | None = None,
    key: str | None = None,
) -> Outcome:
    """Register ``draft`` unless a field, a file, the rate limit or a repeat (``once``)
    refuses it; the counters are checked in the registration's own transaction. A repeat
    of ``key`` (the form's signed ticket) gets the first submission's receipt back."""
    errors = problems(desk, config, draft, files)
    if errors:
        return Outcome(errors=errors, status=422)
    limits = [per_address(address, config), *([once] if once else [])]
    accepted, _ = check_files(files, config)
    return await _intake(desk, draft, accepted, limits, key)


def problems(
    desk: PluginDesk, config: WebformConfig, draft: Draft, files: Sequence[IncomingFile]
) -> Errors:
    """What is wrong with the fields and files, in the form's order (empty: nothing)."""
    errors = validate(draft, desk.today())
    _, problems = check_files(files, config)
    if problems:
        errors["attachments"] = " ".join(problems)
    return {f: errors[f] for f in FIELD_ORDER if f in errors}


async def _intake(
    desk: PluginDesk,
    draft: Draft,
    files: tuple[IncomingFile, ...],
    limits: list[Limit],
    key: str | None,
) -> Outcome:
    new = to_manifestation(draft, files)
    try:
        receipt = await desk.intake(new, limits=limits, idempotency_key=key)
    except RateLimited as exc:
        if exc.key.startswith(ONCE_PREFIX):
            return Outcome(errors={"form": DUPLICATE}, status=409)
        # the address is personal data: the log says that it happened, not who
        log.info("webform: rate limit reached")
        return Outcome(errors={"form": RATE_LIMITED}, status=429)
    except InvalidManifestation as exc:
        return Outcome(errors={_CORE_FIELDS.get(exc.field, exc.field): exc.reason}, status=422)
    except AttachmentRejected as exc:
        return Outcome(errors={"attachments": f"“{exc.filename}”: {exc.reason}."}, status=422)
    return Outcome(receipt=receipt)
