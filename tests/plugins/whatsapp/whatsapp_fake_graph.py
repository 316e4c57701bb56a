"""A fake WhatsApp Cloud API (Graph) server for tests: a raw ASGI app on loopback that
records what was sent and can be told to fail the way Meta does."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

from balcao.testing import LoopbackServer, read_request

TOKEN = "token-de-teste"
PHONE_ID = "106540352242922"


@dataclass
class Failure:
    status: int = 400
    code: int | None = None
    details: str = ""
    delay: float = 0.0
    later: bool = False  # answer 200, then report the code as a failed status
    after: int = 0  # sends that succeed before this failure applies


@dataclass
class FakeGraph:
    token: str = TOKEN
    sent: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[dict[str, Any]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    media_failures: dict[str, list[int]] = field(default_factory=dict)
    info_failures: dict[str, list[int]] = field(default_factory=dict)
    declared_sizes: dict[str, str] = field(default_factory=dict)
    later_statuses: list[dict[str, Any]] = field(default_factory=list)
    downloads_without_token: int = 0
    base_url: str = ""
    # Every send takes this long. A send whose caller hangs up (dies) before the answer is
    # not accepted: like a call that never got past Meta's front door, it sends nothing.
    send_delay: float = 0.0
    arrived: int = 0
    abandoned: int = 0
    _counter: int = 0

    def reset(self) -> None:
        for name in ("sent", "attempts", "failures", "later_statuses"):
            getattr(self, name).clear()
        self.media.clear()
        self.media_failures.clear()
        self.info_failures.clear()
        self.declared_sizes.clear()
        self.token, self._counter, self.downloads_without_token = TOKEN, 0, 0
        self.send_delay, self.arrived, self.abandoned = 0.0, 0, 0

    def fail(
        self,
        code: int | None = None,
        *,
        status: int = 400,
        times: int = 1,
        delay: float = 0.0,
        later: bool = False,
        after: int = 0,
    ) -> None:
        self.failures += [Failure(status, code, f"simulated {code}", delay, later, after)] * times

    def add_media(self, media_id: str, content: bytes, mime: str) -> str:
        """Registers a file; returns its base64 sha256 as webhooks carry it."""
        self.media[media_id] = (content, mime)
        return base64.b64encode(hashlib.sha256(content).digest()).decode()

    def next_wamid(self) -> str:
        return f"wamid.FAKE{self._counter + 1}"

    # -- ASGI ---------------------------------------------------------------------------

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        request = await read_request(scope, receive)
        if request.method == "POST":
            self.arrived += 1
            if self.send_delay and await _hangs_up(receive, self.send_delay):
                self.abandoned += 1
                return
        status, payload, content_type = await self._route(
            request.method, request.path, request.headers, request.body
        )
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", content_type.encode())],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    def _authorized(self, headers: dict[str, str]) -> bool:
        return headers.get("authorization") == f"Bearer {self.token}"

    async def _route(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes, str]:
        parts = [p for p in path.split("/") if p]
        if parts[:1] == ["download"]:
            return self._download(parts[1], headers)
        if not self._authorized(headers):
            return _error(401, 190, "Error validating access token: Session has expired")
        if method == "POST" and parts[-1:] == ["messages"]:
            return await self._send(json.loads(body))
        if method == "GET" and len(parts) == 2 and parts[1] == PHONE_ID:
            return 200, json.dumps({"id": PHONE_ID}).encode(), "application/json"
        if method == "GET" and len(parts) == 2:
            return self._info(parts[1])
        return _error(404, 100, "Unknown path")

    async def _send(self, payload: dict[str, Any]) -> tuple[int, bytes, str]:
        self.attempts.append(payload)
        failure = self._next_failure()
        if failure and failure.delay:
            await asyncio.sleep(failure.delay)
        if failure and not failure.later:
            if failure.code is None:
                return failure.status, b"Internal Server Error", "text/plain"
            return _error(failure.status, failure.code, failure.details)
        self._counter += 1
        wamid = f"wamid.FAKE{self._counter}"
        self.sent.append(payload)
        if failure and failure.later:
            self.later_statuses.append(_failed_status(wamid, failure.code or 0))
        to = payload.get("to") or payload.get("recipient")
        answer = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": str(to).lstrip("+")}],
            "messages": [{"id": wamid}],
        }
        return 200, json.dumps(answer).encode(), "application/json"

    def _next_failure(self) -> Failure | None:
        if not self.failures:
            return None
        if self.failures[0].after > 0:
            self.failures[0].after -= 1
            return None
        return self.failures.pop(0)

    def _info(self, media_id: str) -> tuple[int, bytes, str]:
        pending = self.info_failures.get(media_id)
        if pending:
            return _error(pending.pop(0), 131016, "Service unavailable")
        if media_id not in self.media:
            return _error(404, 100, "Unsupported get request")
        content, mime = self.media[media_id]
        digest = hashlib.sha256(content).hexdigest()
        size = self.declared_sizes.get(media_id, str(len(content)))
        answer = {
            "messaging_product": "whatsapp",
            "url": f"{self.base_url}/download/{media_id}",
            "mime_type": mime,
            "sha256": digest,
            "file_size": size,
            "id": media_id,
        }
        return 200, json.dumps(answer).encode(), "application/json"

    def _download(self, media_id: str, headers: dict[str, str]) -> tuple[int, bytes, str]:
        if not self._authorized(headers):
            self.downloads_without_token += 1
            return 401, b"", "text/plain"
        pending = self.media_failures.get(media_id)
        if pending:
            return pending.pop(0), b"", "text/plain"
        if media_id not in self.media:
            return 404, b"", "text/plain"
        content, mime = self.media[media_id]
        return 200, content, mime


async def _hangs_up(receive: Any, seconds: float) -> bool:
    """Wait ``seconds``; True when the client disconnected meanwhile."""
    try:
        message = await asyncio.wait_for(receive(), seconds)
    except TimeoutError:
        return False
    return bool(message.get("type") == "http.disconnect")


def _error(status: int, code: int, details: str) -> tuple[int, bytes, str]:
    body = {
        "error": {
            "message": f"(#{code}) {details}",
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details},
            "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam",
        }
    }
    return status, json.dumps(body).encode(), "application/json"


def _failed_status(wamid: str, code: int) -> dict[str, Any]:
    return {
        "id": wamid,
        "status": "failed",
        "timestamp": str(int(time.time())),
        "recipient_id": "5565999990000",
        "errors": [
            {
                "code": code,
                "title": "Re-engagement message",
                "message": "Re-engagement message",
                "error_data": {
                    "details": "More than 24 hours have passed since the "
                    "recipient last replied to the sender number."
                },
            }
        ],
    }


class Server(LoopbackServer):
    """The fake Graph API on loopback; it learns its own address (media download links)."""

    def __init__(self, app: FakeGraph) -> None:
        super().__init__(app)
        app.base_url = self.url
