"""A fake of Google's token endpoint, Calendar API v3 and Meet API v2 on loopback.

It speaks the real JSON wire format, checks the JWT assertion's signature and the bearer
token, records every request, and can be told to fail the way Google does."""

from __future__ import annotations

import base64
import contextlib
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from balcao.testing import LoopbackServer, read_request, send_json

Json = dict[str, Any]


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class Failure:
    route: str
    status: int
    body: Json
    headers: dict[str, str] = field(default_factory=dict)


def google_error(status: int, reason: str, message: str) -> Json:
    errors = [
        {
            "domain": "usageLimits" if "Limit" in reason else "global",
            "reason": reason,
            "message": message,
        }
    ]
    return {"error": {"errors": errors, "code": status, "message": message}}


class FakeGoogle:
    """Routes: POST /token, /calendar/v3/..., /meet/v2/...; ``url`` is its base address."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.url = ""
        self.reset()

    def reset(self) -> None:
        self.requests: list[Recorded] = []
        self.events: dict[str, Json] = {}
        self.deleted: set[str] = set()
        self.busy: list[tuple[str, str]] = []
        self.failures: list[Failure] = []
        self.pending_reads = 0
        self.conference_failure = False
        self.without_conference = False
        self.token_error: str | None = None
        self.tokens: set[str] = set()
        self.records: dict[str, list[Json]] = {}
        self.participants: dict[str, list[Json]] = {}
        self.transcripts: dict[str, list[Json]] = {}
        self.entries: dict[str, list[Json]] = {}
        self.page_size = 100
        self.lose_insert_answers = 0
        self._codes = 0

    # -- set-up ---------------------------------------------------------------------

    def service_account(self, path: Any) -> str:
        pem = self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        data = {
            "type": "service_account",
            "client_email": "balcao@projeto.iam.gserviceaccount.com",
            "private_key_id": "k1",
            "private_key": pem,
            "token_uri": self.url + "/token",
        }
        path.write_text(json.dumps(data))
        return str(path)

    def fail(
        self,
        route: str,
        status: int,
        reason: str = "",
        times: int = 1,
        retry_after: str | None = None,
        message: str = "",
    ) -> None:
        text = message or f"simulated {reason or status}"
        body = google_error(status, reason or "backendError", text)
        headers = {"retry-after": retry_after} if retry_after is not None else {}
        self.failures += [Failure(route, status, body, headers)] * times

    def calls(self, method: str, pattern: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and re.search(pattern, r.path)]

    # -- ASGI -----------------------------------------------------------------------

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        incoming = await read_request(scope, receive)
        raw, headers = incoming.body, incoming.headers
        query = {k: v[0] for k, v in incoming.query.items()}
        body: Any = raw.decode() if raw else None
        if raw and headers.get("content-type", "").startswith("application/json"):
            body = json.loads(raw)
        request = Recorded(scope["method"], scope["path"], query, headers, body)
        self.requests.append(request)
        status, payload, extra = self._route(request)
        await send_json(send, status, payload, extra, content_type=_JSON)

    def _route(self, r: Recorded) -> tuple[int, Json | None, dict[str, str]]:
        if r.path == "/token":
            return self._token(r)
        if r.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return 401, google_error(401, "authError", "Invalid Credentials"), {}
        route = _route_name(r)
        for failure in self.failures:
            if failure.route == route:
                self.failures.remove(failure)
                return failure.status, failure.body, failure.headers
        return getattr(self, f"_{route}")(r)

    def _token(self, r: Recorded) -> tuple[int, Json | None, dict[str, str]]:
        form = {k: v[0] for k, v in parse_qs(r.body or "").items()}
        if self.token_error:
            return (
                400,
                {"error": self.token_error, "error_description": "Invalid email or User ID"},
                {},
            )
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return 400, {"error": "unsupported_grant_type"}, {}
        claims = self._verified(form.get("assertion", ""))
        if claims is None:
            return (
                400,
                {"error": "invalid_grant", "error_description": "Invalid JWT Signature."},
                {},
            )
        token = f"ya29.fake-{len(self.tokens) + 1}"
        self.tokens.add(token)
        return 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}, {}

    def _verified(self, assertion: str) -> Json | None:
        try:
            head, claims, signature = assertion.split(".")
            self.key.public_key().verify(
                _unb64(signature), f"{head}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except Exception:
            return None
        data: Json = json.loads(_unb64(claims))
        return data if data.get("exp", 0) > time.time() else None

    def last_claims(self) -> Json:
        form = parse_qs(self.calls("POST", "^/token$")[-1].body)
        return json.loads(_unb64(form["assertion"][0].split(".")[1]))

    # -- Calendar -------------------------------------------------------------------

    def _insert(self, r: Recorded) -> tuple[int, Json | None, dict[str, str]]:
        event = dict(r.body)
        if event["id"] in self.events or event["id"] in self.deleted:
            return (
                409,
                google_error(409, "duplicate", "The requested identifier already exists."),
                {},
            )
        asked = r.query.get("conferenceDataVersion") == "1" and "conferenceData" in event
        if self.without_conference or not asked:
            event.pop("conferenceData", None)
        else:
            self._codes += 1
            code = f"abc-mnop-{self._codes:03d}"
            event["conferenceData"] = {
                "createRequest": {
                    **event["conferenceData"]["createRequest"],
                    "status": {"statusCode": "pending"},
                },
                "conferenceId": code,
                "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
            }
            event["_reads_left"] = self.pending_reads
        event["status"] = "confirmed"
        event["htmlLink"] = f"https://calendar.google.com/event?eid={event['id']}"
        self.events[event["id"]] = event
        if self.lose_insert_answers:  # created, but the answer never reaches the client
            self.lose_insert_answers -= 1
            return 503, google_error(503, "backendError", "Backend Error"), {}
        return 200, self._view(event, fresh=True), {}

    def _view(self, event: Json, fresh: bool = False) -> Json:
        data = event.get("conferenceData")
        if data is not None and not fresh:
            event["_reads_left"] -= 1
        if data is not None and event["_reads_left"] <= 0:
            self._settle(data)
        return {k: v for k, v in event.items() if not k.startswith("_")}

    def _settle(self, data: Json) -> None:
        if self.conference_failure:
            data["createRequest"]["status"] = {"statusCode": "failure"}
            return
        uri = f"https://meet.google.com/{data['conferenceId']}"
        data["createRequest"]["status"] = {"statusCode": "success"}
        data["entryPoints"] = [
            {"entryPointType": "video", "uri": uri, "label": uri.removeprefix("https://")}
        ]

    def _get(self, r: Recorded) -> tuple[int, Json | None, dict[str, str]]:
        event = self.events.get(r.path.rsplit("/", 1)[1])
        if event is None:
            return 404, google_error(404, "notFound", "Not Found"), {}
        return 200, self._view(event), {}

    def _patch(self, r: Recorded) -> tuple[int, Json | None, dict[str, str]]:
        event = self.events.get(r.path.rsplit("/", 1)[1])
        if event is None:
            return 404, google_error(404, "notFound", "Not Found"), {}
        event.update(r.body)
        return 200, self._view(event, fresh=True), {}

    def _delete(self, r: Recorded) -> tuple[int, Json | None, dict[str, str]]:
        event_id = r.path.rsplit("/", 1)[1]
        if event_id in self.deleted:
            return 410, google_error(410, "deleted", "Resource has been deleted"), {}
        if self.events.pop(event_id, None) is None:
            return 404, google_error(404, "notFound", "Not Found"), {}
        self.deleted.add(event_id)
        return 204, None, {}

    def _freebusy(self, r: Recorded) -> tuple[int, Json | None, dict[str, str]]:
        calendar = r.body["items"][0]["id"]
        busy = [{"start": a, "end": b} for a, b in self.busy]
        return (
            200,
            {
                "kind": "calendar#freeBusy",
                "timeMin": r.body["timeMin"],
                "timeMax": r.body["timeMax"],
                "calendars": {calendar: {"busy": busy}},
            },
            {},
        )

    # -- Meet -----------------------------------------------------------------------

    def _records(self, r: Recorded) -> tuple[int, Json | None, dict[str, str]]:
        match = re.fullmatch(r'space\.meeting_code\s*=\s*"([^"]+)"', r.query.get("filter", ""))
        if match is None:
            return 400, google_error(400, "badRequest", "Invalid filter"), {}
        return 200, self._page(r, "conferenceRecords", self.records.get(match.group(1), [])), {}

    def _children(self, r: Recorded) -> tuple[int, Json | None, dict[str, str]]:
        path = r.path.removeprefix("/meet/v2/")
        if path.endswith("/participants"):
            return 200, self._page(r, "participants", self.participants.get(path[:-13], [])), {}
        if path.endswith("/transcripts"):
            return 200, self._page(r, "transcripts", self.transcripts.get(path[:-12], [])), {}
        return 200, self._page(r, "transcriptEntries", self.entries.get(path[:-8], [])), {}

    def _page(self, r: Recorded, key: str, items: list[Json]) -> Json:
        start = int(r.query.get("pageToken", "0") or 0)
        chunk = items[start : start + self.page_size]
        page: Json = {key: chunk}
        if start + self.page_size < len(items):
            page["nextPageToken"] = str(start + self.page_size)
        return page


def _route_name(r: Recorded) -> str:
    path, method = r.path, r.method
    if path.startswith("/calendar/v3/freeBusy"):
        return "freebusy"
    if path.startswith("/calendar/v3/calendars/"):
        if path.endswith("/events"):
            return "insert"
        return {"GET": "get", "PATCH": "patch", "DELETE": "delete"}[method]
    if path == "/meet/v2/conferenceRecords":
        return "records"
    return "children"


_JSON = "application/json; charset=UTF-8"


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@contextlib.contextmanager
def served_google() -> Iterator[FakeGoogle]:
    """A fake Google listening on loopback for the ``with`` block."""
    fake = FakeGoogle()
    server = LoopbackServer(fake)
    fake.url = server.start()
    try:
        yield fake
    finally:
        server.stop()
