"""The Google clients of one running balcão, built once from the plugin's config."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from balcao import Desk

from balcao_meet._config import MeetConfig
from balcao_meet._google import CalendarClient, GoogleHttp, MeetClient, TokenProvider

__all__ = ["GoogleClients", "google_for"]


@dataclass(frozen=True)
class GoogleClients:
    calendar: CalendarClient
    meet: MeetClient


_BUILT: weakref.WeakKeyDictionary[Desk, GoogleClients] = weakref.WeakKeyDictionary()


def google_for(desk: Desk, config: MeetConfig) -> GoogleClients | None:
    """The clients when credentials are configured, else None (fallback-link mode)."""
    if not config.has_google:
        return None
    if desk not in _BUILT:
        _BUILT[desk] = _build(config)
    return _BUILT[desk]


def _build(config: MeetConfig) -> GoogleClients:
    tokens = TokenProvider(
        config.service_account_file,
        config.delegated_user,
        config.token_url,
        timeout=config.google_timeout_seconds,
    )
    http = GoogleHttp(tokens, timeout=config.google_timeout_seconds)
    calendar = CalendarClient(
        http,
        config.calendar_api_url,
        config.calendar_id,
        send_updates=config.send_invitations,
        pending_wait=config.pending_wait_seconds,
    )
    return GoogleClients(calendar=calendar, meet=MeetClient(http, config.meet_api_url))
