"""Fake outside services for tests: an ASGI request read in one call, a JSON answer in
another, and a loopback server that runs any ASGI app in a thread."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs

import uvicorn

__all__ = ["FakeRequest", "LoopbackServer", "read_request", "send_json", "serve_in_loop"]

Receive = Any
Send = Any


@dataclass(frozen=True)
class FakeRequest:
    """One HTTP request as a fake service sees it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body decoded as JSON (``None`` when empty)."""
        return json.loads(self.body) if self.body else None


async def read_request(scope: Mapping[str, Any], receive: Receive) -> FakeRequest:
    """Read a whole HTTP request from ASGI ``scope``/``receive``: every body chunk, the
    headers with lower-cased names, the query string parsed."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    return FakeRequest(
        method=scope["method"],
        path=scope["path"],
        query=parse_qs(scope.get("query_string", b"").decode()),
        headers={k.decode().lower(): v.decode() for k, v in scope["headers"]},
        body=body,
    )


async def send_json(
    send: Send,
    status: int,
    payload: Any,
    headers: Mapping[str, str] | None = None,
    *,
    content_type: str = "application/json; charset=utf-8",
) -> None:
    """Answer with ``payload`` as JSON (an empty body for ``None``) and extra ``headers``."""
    body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    raw = [(b"content-type", content_type.encode())]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def _loopback_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class LoopbackServer:
    """Serves an ASGI app (a fake of an outside service, or a balcão app built in the test
    with ``lifespan="on"``) with uvicorn on a free port of 127.0.0.1, in a thread with its
    own event loop, for a ``with`` block; ``options`` go to ``uvicorn.Config`` (e.g.
    ``proxy_headers=False``)::

        with LoopbackServer(FakeSmsGateway()) as server:
            settings = {"plugins": {"sms": {"api_url": server.url}}}
    """

    def __init__(
        self, app: Any, *, lifespan: Literal["auto", "on", "off"] = "off", **options: Any
    ) -> None:
        self.app = app
        self.sock = _loopback_socket()
        self.port: int = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, log_level="warning", lifespan=lifespan, timeout_graceful_shutdown=1, **options
        )
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def start(self) -> str:
        """Start serving; returns :attr:`url` once the server listens."""
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the fake server {self.app!r} did not start")
            time.sleep(0.01)
        return self.url

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.should_exit = True
        self._thread.join(timeout=5)
        self.sock.close()

    def __enter__(self) -> LoopbackServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


@asynccontextmanager
async def serve_in_loop(
    app: Any, *, lifespan: Literal["auto", "on", "off"] = "off"
) -> AsyncIterator[str]:
    """Serve ``app`` (e.g. ``balcao.app``, for a browser) with uvicorn in the test's own
    event loop, on a free loopback port; yields its base URL. The balcão's database
    connections belong to the loop that opened them, hence not a thread."""
    sock = _loopback_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan=lifespan))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("the server stopped before it started")
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()
