"""Meet REST API v2: what happened in a meeting (records, participants, transcripts)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from balcao_meet._google._http import GoogleHttp, body_of

__all__ = ["ConferenceReport", "MeetClient"]

_MAX_PAGES = 50


@dataclass
class ConferenceReport:
    """One conference of a meeting, as far as the Workspace lets us read it."""

    name: str
    start: str
    end: str | None
    participants: list[dict[str, Any]] = field(default_factory=list)
    transcripts: list[dict[str, Any]] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def transcripts_final(self) -> bool:
        """True when no transcript is still being written to its document."""
        return all(t.get("state") == "FILE_GENERATED" for t in self.transcripts)


@dataclass
class MeetClient:
    http: GoogleHttp
    base_url: str

    def _url(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}/{path}"

    async def reports(self, meeting_code: str, transcripts: bool) -> list[ConferenceReport]:
        """Every conference held in the meeting with ``meeting_code``."""
        found = []
        query = {"filter": f'space.meeting_code = "{meeting_code}"'}
        async for record in self._pages("conferenceRecords", "conferenceRecords", query):
            report = ConferenceReport(
                name=record["name"], start=record.get("startTime", ""), end=record.get("endTime")
            )
            await self._fill(report, transcripts)
            found.append(report)
        return found

    async def _fill(self, report: ConferenceReport, transcripts: bool) -> None:
        path = report.name
        report.participants = [p async for p in self._pages(f"{path}/participants", "participants")]
        if not transcripts:
            return
        report.transcripts = [t async for t in self._pages(f"{path}/transcripts", "transcripts")]
        for transcript in report.transcripts:
            entries = self._pages(f"{transcript['name']}/entries", "transcriptEntries")
            report.entries += [e async for e in entries]

    async def _pages(
        self, path: str, key: str, query: dict[str, str] | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        params = dict(query or {})
        for _ in range(_MAX_PAGES):
            data = body_of(await self.http.call("GET", self._url(path), params=params))
            for item in data.get(key, []):
                yield item
            token = data.get("nextPageToken")
            if not token:
                return
            params["pageToken"] = token
