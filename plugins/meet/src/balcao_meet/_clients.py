"""The Google clients of one running balcão, built once from the plugin's config."""

from __future__ import annotations

import datetime as dt
import time
import weakref
from dataclasses import dataclass, field

from balcao import PluginDesk
from balcao_meet._config import MeetConfig
from balcao_meet._google import CalendarClient, GoogleHttp, MeetClient, TokenProvider

__all__ = ["GoogleClients", "google_for"]


@dataclass
class GoogleClients:
    """The clients, and the last free/busy readings (the page is shown far more often than
    the calendar changes, and Google limits calls per user)."""

    calendar: CalendarClient
    meet: MeetClient
    _readings: dict[tuple[dt.datetime, dt.datetime], tuple[float, list[tuple[str, str]]]] = field(
        default_factory=dict
    )

    async def busy(
        self, start: dt.datetime, end: dt.datetime, fresh: bool = False
    ) -> list[tuple[str, str]]:
        """Busy spans of the calendar, read at most ``_FRESH_FOR`` seconds ago unless
        ``fresh``."""
        now = time.monotonic()
        taken = self._readings.get((start, end))
        if not fresh and taken is not None and now - taken[0] < _FRESH_FOR:
            return taken[1]
        spans = await self.calendar.busy(start, end)
        self._readings = {k: v for k, v in self._readings.items() if now - v[0] < _FRESH_FOR}
        self._readings[(start, end)] = (now, spans)
        return spans


_FRESH_FOR = 60.0
_BUILT: weakref.WeakKeyDictionary[PluginDesk, GoogleClients] = weakref.WeakKeyDictionary()


def google_for(desk: PluginDesk, config: MeetConfig) -> GoogleClients | None:
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
