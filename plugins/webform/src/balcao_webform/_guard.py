"""Abuse defences without a third-party CAPTCHA: a signed form ticket (minimum fill time,
maximum age, single use), a honeypot field and a per-address rate limit."""

from __future__ import annotations

import datetime as dt
import enum
import hmac
import secrets

from balcao import PluginDesk
from balcao_webform._config import WebformConfig

__all__ = [
    "HONEYPOT",
    "ONCE_PREFIX",
    "Limit",
    "Ticket",
    "idempotent",
    "issue",
    "per_address",
    "read",
]

HONEYPOT = "website"
ONCE_PREFIX = "webform:once:"
_SEP = "."


class Ticket(enum.Enum):
    """What a submitted form ticket says about the submission."""

    OK = "ok"
    FORGED = "forged"
    TOO_FAST = "too_fast"
    EXPIRED = "expired"


def _signature(desk: PluginDesk, nonce: str, issued: int) -> str:
    message = f"webform:{nonce}:{issued}".encode()
    return desk.sealer("webform.ticket").sign(message)[:32]


def issue(desk: PluginDesk) -> str:
    """A ticket for a freshly served form: a random nonce and the time it was served."""
    nonce, issued = secrets.token_urlsafe(12), int(desk.now().timestamp())
    return _SEP.join((nonce, str(issued), _signature(desk, nonce, issued)))


def read(desk: PluginDesk, ticket: str, config: WebformConfig) -> Ticket:
    """Check the ticket's signature and the time between serving and submitting."""
    nonce, issued_text, signature = [*ticket.split(_SEP), "", "", ""][:3]
    if not issued_text.isdigit() or not hmac.compare_digest(
        signature, _signature(desk, nonce, int(issued_text))
    ):
        return Ticket.FORGED
    elapsed = desk.now().timestamp() - int(issued_text)
    if elapsed < config.min_fill_seconds:
        return Ticket.TOO_FAST
    if elapsed > config.max_form_age_hours * 3600:
        return Ticket.EXPIRED
    return Ticket.OK


Limit = tuple[str, int, dt.timedelta]


def idempotent(key: str) -> Limit:
    """A counter that lets a JSON caller's ``Idempotency-Key`` register once in 7 days."""
    return (f"{ONCE_PREFIX}idempotency:{key}", 1, dt.timedelta(days=7))


def per_address(address: str, config: WebformConfig) -> Limit:
    """At most ``rate_limit_per_hour`` submissions from ``address`` per hour."""
    return (f"webform:{address}", config.rate_limit_per_hour, dt.timedelta(hours=1))
