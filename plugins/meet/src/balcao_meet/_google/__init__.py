"""A small async client for the Google APIs the plugin uses (token, Calendar, Meet)."""

from __future__ import annotations

from balcao_meet._google._calendar import CalendarClient, EventDraft, Meeting
from balcao_meet._google._errors import GoogleAuthError, GoogleError
from balcao_meet._google._http import GoogleHttp
from balcao_meet._google._meet import ConferenceReport, MeetClient
from balcao_meet._google._token import SCOPES, TokenProvider

__all__ = [
    "SCOPES",
    "CalendarClient",
    "ConferenceReport",
    "EventDraft",
    "GoogleAuthError",
    "GoogleError",
    "GoogleHttp",
    "MeetClient",
    "Meeting",
    "TokenProvider",
]
