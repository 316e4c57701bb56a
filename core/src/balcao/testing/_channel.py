"""A recording fake channel: a real plugin (routes, inbound processor, delivery adapter)
that keeps what it sent and can be told to fail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec
from litestar import Response, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from balcao import (
    ChannelSpec,
    DeliveryFailed,
    DeliveryReceipt,
    Desk,
    HomeCard,
    Kind,
    NewManifestation,
    OutboundMessage,
    PluginDesk,
    hookimpl,
)

__all__ = ["InboundText", "RecordingChannel"]


class InboundText(msgspec.Struct, frozen=True):
    """What the fake channel's webhook takes."""

    id: str
    sender: str
    text: str
    kind: Kind = Kind.RECLAMACAO


@dataclass
class _Failure:
    message: str
    retryable: bool
    retry_after: float | None


@dataclass
class RecordingChannel:
    """Register with ``make_balcao(plugins=[("fake", channel)])``; read ``channel.sent``."""

    name: str = "fake"
    sent: list[OutboundMessage] = field(default_factory=list)
    attempts: list[OutboundMessage] = field(default_factory=list)
    _failures: list[_Failure] = field(default_factory=list)

    def fail_next(
        self,
        times: int = 1,
        *,
        message: str = "falha simulada",
        retryable: bool = True,
        retry_after: float | None = None,
    ) -> None:
        """Make the next ``times`` deliveries fail."""
        self._failures += [_Failure(message, retryable, retry_after)] * times

    async def send(self, message: OutboundMessage) -> DeliveryReceipt:
        """Deliver ``message`` (the adapter's side): recorded in ``sent``, or fails as told by
        :meth:`fail_next`."""
        self.attempts.append(message)
        if self._failures:
            failure = self._failures.pop(0)
            raise DeliveryFailed(
                failure.message, retryable=failure.retryable, retry_after=failure.retry_after
            )
        self.sent.append(message)
        return DeliveryReceipt(external_id=f"{self.name}-{len(self.sent)}")

    async def process(self, body: bytes, desk: PluginDesk) -> None:
        """Process one stored inbound event: a message on the sender's open case, or a new one."""
        event = msgspec.json.decode(body, type=InboundText)
        current = await desk.find_open_by_address(self.name, event.sender)
        if current is not None:
            await desk.add_message(
                current.protocol, event.text, channel=self.name, external_id=event.id
            )
            return
        await desk.intake(
            NewManifestation(
                kind=event.kind,
                channel=self.name,
                description=event.text,
                channel_address=event.sender,
                external_id=event.id,
            )
        )

    def _routes(self) -> list[Any]:
        channel = self

        @post("/inbound", status_code=200, opt={"exclude_from_csrf": True})
        async def inbound(
            desk: NamedDependency[Desk], data: JSONBody[InboundText]
        ) -> Response[dict[str, Any]]:
            fresh = await desk.persist_inbound(channel.name, data.id, msgspec.json.encode(data))
            return Response({"stored": fresh})

        return [inbound]

    @hookimpl
    def balcao_register_channels(self) -> list[ChannelSpec]:
        """The channel ``fake`` (or ``name``): webhook ``POST /channels/fake/inbound``, adapter and
        card."""
        return [
            ChannelSpec(
                name=self.name,
                title="Canal de teste",
                route_handlers=self._routes(),
                adapter=lambda _config, _desk: self,
                inbound=self.process,
                card=HomeCard(
                    title="Canal de teste",
                    description="Um canal para os testes.",
                    url=f"/channels/{self.name}/",
                ),
            )
        ]
