"""Calendar API v3: events with a Meet conference, and free/busy."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from balcao_meet._google._errors import GoogleError
from balcao_meet._google._http import GoogleHttp, body_of

__all__ = ["CalendarClient", "EventDraft", "Meeting"]


@dataclass(frozen=True, slots=True)
class EventDraft:
    """What the ouvidoria's calendar gets for one booking."""

    event_id: str
    summary: str
    description: str
    start: dt.datetime
    end: dt.datetime
    timezone: str
    attendee_email: str | None = None
    fallback_link: str = ""


@dataclass(frozen=True, slots=True)
class Meeting:
    """The event's conference: ``url`` is empty while Google still says ``pending``."""

    url: str
    code: str | None
    status: str


@dataclass
class CalendarClient:
    """One calendar of the delegated user."""

    http: GoogleHttp
    base_url: str
    calendar_id: str
    send_updates: bool = True
    pending_wait: float = 10.0

    @property
    def _events(self) -> str:
        return f"{self.base_url.rstrip('/')}/calendars/{quote(self.calendar_id, safe='')}/events"

    def _updates(self) -> str:
        return "all" if self.send_updates else "none"

    async def insert(self, draft: EventDraft) -> Meeting:
        """Create the event with its own id; a 409 means an earlier try created it, so it is
        read back instead of created twice. Waits a little for a ``pending`` conference.
        When the calendar refuses Meet conferences (400), the event is created without one
        (status ``missing``): the slot is still blocked and the attendee still invited."""
        try:
            event = await self._insert(draft, conference=True)
        except GoogleError as exc:
            if exc.status != 400 or "conference" not in str(exc).lower():
                raise
            event = await self._insert(draft, conference=False)
        return await self._settled(draft.event_id, event)

    async def _insert(self, draft: EventDraft, conference: bool) -> dict[str, Any]:
        params = {"conferenceDataVersion": "1", "sendUpdates": self._updates()}
        body = _event_body(draft, conference)
        response = await self.http.call(
            "POST", self._events, params=params, json=body, ok=frozenset({409})
        )
        return await self.get(draft.event_id) if response.status_code == 409 else body_of(response)

    async def get(self, event_id: str) -> dict[str, Any]:
        response = await self.http.call("GET", f"{self._events}/{event_id}")
        return body_of(response)

    async def meeting(self, event_id: str) -> Meeting:
        """The conference as Google has it now."""
        return _meeting(await self.get(event_id))

    async def _settled(self, event_id: str, event: dict[str, Any]) -> Meeting:
        meeting, deadline, pause = _meeting(event), time.monotonic() + self.pending_wait, 0.2
        while meeting.status == "pending" and time.monotonic() < deadline:
            await asyncio.sleep(pause)
            pause = min(pause * 2, 2.0)
            meeting = await self.meeting(event_id)
        if meeting.status == "failure":
            raise GoogleError("o Google não conseguiu criar a sala do Meet", reason="failure")
        return meeting

    async def move(self, event_id: str, start: dt.datetime, end: dt.datetime, zone: str) -> None:
        """Reschedule, leaving the conference untouched so the link stays the same."""
        body = {"start": _when(start, zone), "end": _when(end, zone)}
        params = {"sendUpdates": self._updates()}
        await self.http.call("PATCH", f"{self._events}/{event_id}", params=params, json=body)

    async def delete(self, event_id: str) -> None:
        """Remove the event; one that is already gone (404, 410) counts as removed."""
        params = {"sendUpdates": self._updates()}
        await self.http.call(
            "DELETE", f"{self._events}/{event_id}", params=params, ok=frozenset({404, 410})
        )

    async def busy(self, start: dt.datetime, end: dt.datetime) -> list[tuple[str, str]]:
        """Busy spans of the calendar between ``start`` and ``end`` (RFC 3339 pairs)."""
        body = {
            "timeMin": start.isoformat(),
            "timeMax": end.isoformat(),
            "items": [{"id": self.calendar_id}],
        }
        url = f"{self.base_url.rstrip('/')}/freeBusy"
        data = body_of(await self.http.call("POST", url, json=body))
        found = data.get("calendars", {}).get(self.calendar_id, {})
        if found.get("errors"):
            reason = found["errors"][0].get("reason", "erro")
            raise GoogleError(f"agenda {self.calendar_id!r} indisponível: {reason}", reason=reason)
        return [(b["start"], b["end"]) for b in found.get("busy", [])]


def _when(at: dt.datetime, zone: str) -> dict[str, str]:
    return {"dateTime": at.astimezone(ZoneInfo(zone)).isoformat(), "timeZone": zone}


def _event_body(draft: EventDraft, conference: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": draft.event_id,
        "summary": draft.summary,
        "description": draft.description,
        "start": _when(draft.start, draft.timezone),
        "end": _when(draft.end, draft.timezone),
        "extendedProperties": {"private": {"balcao": "meet"}},
    }
    if not conference and draft.fallback_link:
        body["description"] += f" Link: {draft.fallback_link}"
        body["location"] = draft.fallback_link
    if conference:
        body["conferenceData"] = {
            "createRequest": {
                "requestId": str(uuid.uuid5(uuid.NAMESPACE_URL, draft.event_id)),
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
            }
        }
    if draft.attendee_email:
        body["attendees"] = [{"email": draft.attendee_email}]
    return body


def _meeting(event: dict[str, Any]) -> Meeting:
    data = event.get("conferenceData") or {}
    status = data.get("createRequest", {}).get("status", {}).get("statusCode", "success")
    video = next(
        (e for e in data.get("entryPoints", []) if e.get("entryPointType") == "video"), None
    )
    url = (video or {}).get("uri") or event.get("hangoutLink") or ""
    if not url and status == "success":
        status = "pending" if data.get("createRequest") else "missing"
    return Meeting(url=url, code=data.get("conferenceId"), status=status)
