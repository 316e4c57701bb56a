"""Frozen spec objects that plugins register through the ``balcao_register_*`` hooks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    import click
    from litestar.types import ControllerRouterHandler

    from balcao._facade import PluginDesk
    from balcao._types import DeliveryReceipt, Manifestation, OutboundMessage, RoutingDecision

__all__ = [
    "ActionSpec",
    "ChannelAdapter",
    "ChannelSpec",
    "CommandSpec",
    "ExporterSpec",
    "HomeCard",
    "InboundItem",
    "JobSpec",
    "MigrationSpec",
    "Registered",
    "RoutingRuleSpec",
    "WebhookRefusal",
    "WebhookSpec",
]

S = TypeVar("S")


class ChannelAdapter(Protocol):
    """Delivers outbound messages for one channel; the worker calls it with retries."""

    async def send(self, message: OutboundMessage) -> DeliveryReceipt:
        """Send ``message``; raise :class:`balcao.DeliveryFailed` when it did not go."""
        ...


@dataclass(frozen=True, kw_only=True)
class HomeCard:
    """A channel's card on the balcão's home page; ``detail`` is a line shown prominently
    under the title (a phone number, an address), empty for none."""

    title: str
    description: str
    url: str
    action: str = "Acessar"
    order: int = 100
    detail: str = ""


@dataclass(frozen=True, slots=True)
class InboundItem:
    """One event of a webhook request, stored as ``desk.persist_inbound(channel, key, body,
    ordering_key)`` would store it: ``key`` deduplicates, ``body`` is what the channel's
    ``inbound`` processor gets later, ``ordering_key`` (say, a hash of the sender) keeps one
    conversation's events in order."""

    key: str
    body: bytes
    ordering_key: str | None = None


@dataclass(frozen=True, slots=True)
class WebhookRefusal:
    """A webhook request turned away before anything is stored: the HTTP status (401 for a
    bad signature, 503 for a channel not configured...) and the reason, in pt-BR."""

    status: int
    detail: str


@dataclass(frozen=True, kw_only=True)
class WebhookSpec:
    """A durable intake endpoint, ``POST /channels/<name><path>``, served by the core.

    The core reads the body (413 past ``max_body`` bytes), asks ``check(config, headers,
    body)`` (a :class:`WebhookRefusal` is answered as it says, nothing stored), then
    ``items(body, config, desk)`` (a ``ValueError`` is a 400 with its message), stores every
    item in one shared commit and only then answers ``200 {"received": n, "new": k}``.
    The endpoint is answered in front of the web framework's router, so that a provider's
    bursts cost as little as they can; it is listed in the OpenAPI schema like any route.

    Attributes:
        path: under the channel's prefix, e.g. ``"/webhook"``.
        check: authenticates the request (a signature over the raw bytes, a token); the
            headers are lower-cased names to their first value.
        items: the events in the body, in order; an exception other than ``ValueError``
            is the plugin's fault: a 500 naming the plugin, nothing stored.
        summary: the endpoint's title in the OpenAPI schema.
        description: what it does, for the schema (pt-BR).
        refusal_statuses: the statuses ``check`` may answer, for the schema (the core adds
            400, 413 and 500).
        max_body: the largest body accepted, in bytes.
    """

    path: str
    check: Callable[[Any, Mapping[str, str], bytes], WebhookRefusal | None]
    items: Callable[[bytes, Any, PluginDesk], Iterable[InboundItem]]
    summary: str = ""
    description: str = ""
    refusal_statuses: tuple[int, ...] = (401,)
    max_body: int = 4 * 1024 * 1024


@dataclass(frozen=True, kw_only=True)
class ChannelSpec:
    """An intake channel.

    Attributes:
        name: URL-safe name; routes are mounted under ``/channels/<name>``.
        title: how staff and citizens call it ("WhatsApp", "Formulário web").
        route_handlers: Litestar handlers/controllers/routers, mounted under the prefix.
        webhooks: durable intake endpoints the core serves under the prefix (see
            :class:`WebhookSpec`): the provider's notifications, stored before the answer.
        adapter: factory building the outbound delivery adapter from the plugin's config
            and the desk; ``None`` for a channel that cannot reply.
        inbound: processes one raw inbound event stored with ``desk.persist_inbound``.
        card: the card on the home page; ``None`` shows none.
        template_directory: Jinja templates for the routes (may extend ``balcao/base.html``).
        not_configured: why the channel cannot work yet (pt-BR, naming the settings to
            fill in); ``balcao serve``, ``worker`` and ``plugins`` warn with it once.
        send_concurrency: sends in flight at once per worker (default ``send_concurrency``).
        sends_per_second: the channel's rate limit per worker (default ``sends_per_second``).
    """

    name: str
    title: str
    route_handlers: Sequence[ControllerRouterHandler] = ()
    webhooks: Sequence[WebhookSpec] = ()
    adapter: Callable[[Any, PluginDesk], ChannelAdapter] | None = None
    inbound: Callable[[bytes, PluginDesk], Awaitable[None]] | None = None
    card: HomeCard | None = None
    template_directory: Path | None = None
    not_configured: str | None = None
    send_concurrency: int | None = None
    sends_per_second: float | None = None


@dataclass(frozen=True, kw_only=True)
class ExporterSpec:
    """An exporter: its routes are mounted under ``/exports/<name>`` (staff only)."""

    name: str
    title: str
    route_handlers: Sequence[ControllerRouterHandler] = ()
    template_directory: Path | None = None


@dataclass(frozen=True, kw_only=True)
class CommandSpec:
    """A ``balcao <name>`` command (a click command or group)."""

    command: click.Command


@dataclass(frozen=True, kw_only=True)
class JobSpec:
    """A periodic task: ``run(desk)`` every ``every``; several workers never run it twice
    for the same slot."""

    name: str
    run: Callable[[PluginDesk], Awaitable[None]]
    every: dt.timedelta


@dataclass(frozen=True, kw_only=True)
class MigrationSpec:
    """A folder of Alembic revisions: one branch labelled with the plugin's name,
    whose first revision ``depends_on = "core@head"`` or a named core revision."""

    location: Path


@dataclass(frozen=True, kw_only=True)
class RoutingRuleSpec:
    """A routing rule in code: ``evaluate`` returns a decision or ``None`` (no match)."""

    name: str
    evaluate: Callable[[Manifestation], Awaitable[RoutingDecision | None]]
    priority: int = 100


@dataclass(frozen=True, kw_only=True)
class ActionSpec:
    """An action on the staff manifestation page (a button that posts to ``path``).

    Attributes:
        name: unique name, e.g. ``falabr_export.register``.
        title: the button's label (pt-BR).
        path: URL with ``{protocol}``, e.g. ``/exports/falabr_export/manifestations/{protocol}``;
            a GET link, or a form posted with the CSRF token when ``method`` is POST.
        roles: staff roles that see and may use it.
        method: ``GET`` (a link to the plugin's own page) or ``POST``.
    """

    name: str
    title: str
    path: str
    roles: frozenset[str] = frozenset({"ouvidor", "atendente"})
    method: str = "GET"


@dataclass(frozen=True)
class Registered(Generic[S]):
    """A spec with the plugin that registered it, so every error can name the plugin."""

    plugin: str
    spec: S
    config: Any = field(default=None, compare=False)
