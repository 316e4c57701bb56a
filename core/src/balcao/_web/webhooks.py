"""The channels' webhooks (``ChannelSpec.webhooks``): read, check, store, then acknowledge.

A provider's notifications are the one request the balcão must never push back on (Meta
retries for days, and a campus-wide announcement is answered by thousands at once), and all
they need is the raw body, one header and a durable insert. So they are answered here, in
front of Litestar's router (``Gate`` hands them over by path): no dependency resolution, no
request or response objects, no middleware that does not apply to them. The same ``Lane``
also answers as a Litestar route, which puts the endpoint in the OpenAPI schema and the
route tables."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from typing import Any, cast

import msgspec
from litestar import Request, Response, post
from litestar.handlers import HTTPRouteHandler
from litestar.types import Receive, Scope, Send

from balcao._facade import PluginDesk
from balcao._specs import ChannelSpec, InboundItem, Registered, WebhookRefusal, WebhookSpec
from balcao._web.openapi import error_responses

__all__ = ["Lane", "lanes"]

log = logging.getLogger("balcao")
_JSON = [(b"content-type", b"application/json")]
_INTERNAL = WebhookRefusal(500, "Internal Server Error")
Answer = tuple[int, bytes]


class Lane:
    """One webhook of one channel, answering as an ASGI app and as a Litestar route."""

    def __init__(
        self, channel: Registered[ChannelSpec], spec: WebhookSpec, desk: PluginDesk
    ) -> None:
        self.channel, self.spec, self.desk = channel.spec.name, spec, desk
        self.plugin, self.config = channel.plugin, channel.config
        self.path = f"/channels/{self.channel}{spec.path}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["path_template"] = self.path  # the route's name in the metrics
        body = await _body(receive, self.spec.max_body)
        if body is None:  # the client went away before the end of its body
            return
        status, content = await self.answer(_headers(scope), body)
        length = (b"content-length", b"%d" % len(content))
        await send({"type": "http.response.start", "status": status, "headers": [*_JSON, length]})
        await send({"type": "http.response.body", "body": content, "more_body": False})

    async def answer(self, headers: Mapping[str, str], body: bytes | _TooLarge) -> Answer:
        """The status and JSON body for one request; every item stored before a 200."""
        if isinstance(body, _TooLarge):
            return _refused(WebhookRefusal(413, f"corpo maior que {self.spec.max_body} bytes"))
        try:
            refusal = self.spec.check(self.config, headers, body)
            if refusal is not None:
                return _refused(refusal)
            items = list(self.spec.items(body, self.config, self.desk))
        except ValueError as exc:  # not what the provider sends
            return _refused(WebhookRefusal(400, f"corpo não reconhecido: {exc}"))
        except Exception:
            log.exception("plugin %r: o webhook %s falhou", self.plugin, self.path)
            return _refused(_INTERNAL)
        try:
            new = await self._store(items)
        except Exception:  # the provider sends it again later
            log.exception("o webhook %s não guardou seus eventos", self.path)
            return _refused(_INTERNAL)
        return 200, msgspec.json.encode({"received": len(items), "new": new})

    async def _store(self, items: list[InboundItem]) -> int:
        # all of one request's items join the same shared commit
        stored = [
            self.desk.persist_inbound(self.channel, item.key, item.body, item.ordering_key)
            for item in items
        ]
        return sum(await asyncio.gather(*stored)) if len(stored) != 1 else int(await stored[0])

    def route(self) -> HTTPRouteHandler:
        """The same endpoint as a Litestar route (mounted under the channel's prefix)."""
        lane, limit = self, self.spec.max_body

        async def webhook(request: Request[Any, Any, Any]) -> Response[bytes]:
            # the same reading as the lane's; a client gone away gets no store, only a refusal
            body = await _body(request.receive, limit) or b""
            status, content = await lane.answer(_headers(request.scope), body)
            return Response(content, status_code=status, media_type="application/json")

        return post(
            self.spec.path,
            summary=self.spec.summary or None,
            description=self.spec.description or None,
            opt={"exclude_from_csrf": True},
            status_code=200,
            media_type="application/json",
            request_max_body_size=None,  # ``max_body``, answered as a 413 in pt-BR
            responses=error_responses(*self.spec.refusal_statuses),
            name=f"webhook:{self.channel}{self.spec.path}",
        )(webhook)


class _TooLarge:
    """A body past ``max_body``: not read to its end, never stored."""


_TOO_LARGE = _TooLarge()


def _refused(refusal: WebhookRefusal) -> Answer:
    return refusal.status, msgspec.json.encode({"detail": refusal.detail})


def _headers(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in scope["headers"]:  # the first of a repeated header, as Litestar does
        headers.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    return headers


async def _body(receive: Receive, limit: int) -> bytes | _TooLarge | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = cast("bytes", message.get("body", b""))
        size += len(chunk)
        if size > limit:
            return _TOO_LARGE
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def lanes(channels: Iterable[Registered[ChannelSpec]], desk: PluginDesk) -> dict[str, Lane]:
    """Every channel's webhooks, by their full path."""
    return {
        lane.path: lane
        for lane in (Lane(c, spec, desk) for c in channels for spec in c.spec.webhooks)
    }
