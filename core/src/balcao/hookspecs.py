"""The hook specifications of Balcão.

Every hook is prefixed ``balcao_``. Registration hooks are synchronous and return frozen spec
objects (or an iterable of them); the core calls each plugin's implementation on its own,
so an error always names the plugin. ``balcao_on_event`` and ``balcao_validate_transition``
may be ``async def``. An implementation may take fewer arguments than the specification
(only those it needs), which is how new arguments are added without breaking anyone.

See ``docs/hooks.md`` for the full reference with examples.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from balcao._config import Settings
    from balcao._domain.lifecycle import State
    from balcao._events import Event
    from balcao._facade import PluginDesk
    from balcao._sealing import LookupColumn, SealedColumn
    from balcao._specs import (
        ActionSpec,
        ChannelSpec,
        CommandSpec,
        ExporterSpec,
        JobSpec,
        MigrationSpec,
        RoutingRuleSpec,
    )
    from balcao._types import Actor, Manifestation, Veto

__all__ = ["PROJECT", "hookimpl", "hookspec"]

PROJECT = "balcao"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def balcao_config_type() -> type[Any] | None:
    """Declare the plugin's configuration: a ``msgspec.Struct`` for ``[plugins.<name>]``.

    The core loads the table from ``balcao.toml``, applies ``BALCAO_<PLUGIN>_<FIELD>``
    overrides and validates it at start-up; the validated instance is passed as ``config``
    to the plugin's other hooks and injected as ``config`` into its routes. A bad value stops
    start-up with a message naming the setting (``BALCAO_SMS_TIMEOUT: esperado um número,
    recebido 'abc'``).

    Called once per plugin when the plugin host starts (``balcao serve``, ``balcao worker``,
    every command), before any other hook of the plugin. Synchronous; not ``firstresult``
    (each plugin's implementation is called on its own), not historic.

    :return: A ``msgspec.Struct`` type, or ``None`` for a plugin without configuration.

    Example::

        class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
            greeting: str = "Olá"

        @hookimpl
        def balcao_config_type():
            return Config
    """


@hookspec
def balcao_register_channels(config: Any, settings: Settings) -> Iterable[ChannelSpec]:
    """Register intake channels: routes under ``/channels/<name>``, the delivery adapter,
    the inbound processor and the home page card.

    Called once per plugin when the runtime is built (app and worker start-up). Synchronous;
    each plugin's implementation is called on its own (not ``firstresult``, not historic), so
    an error names the plugin.

    :param config: This plugin's validated configuration (the instance of the type its
        :func:`balcao_config_type` returned), or ``None`` when it declares none.
    :param settings: The core's :class:`balcao.Settings`.
    :return: The plugin's :class:`balcao.ChannelSpec` objects (an empty iterable for none).

    Example::

        @hookimpl
        def balcao_register_channels(config):
            return [ChannelSpec(name="sms", title="SMS", route_handlers=[webhook],
                                adapter=lambda config, desk: SmsAdapter(config),
                                card=HomeCard(title="SMS", description="...", url="..."))]
    """
    return ()


@hookspec
def balcao_register_exporters(config: Any, settings: Settings) -> Iterable[ExporterSpec]:
    """Register exporters: staff routes under ``/exports/<name>``.

    Called once per plugin when the runtime is built. Synchronous; each plugin on its own.
    The routes get the staff guard; each route still declares its ``opt={"access": ...}``.

    :param config: This plugin's validated configuration (the instance of the type its
        :func:`balcao_config_type` returned), or ``None`` when it declares none.
    :param settings: The core's :class:`balcao.Settings`.
    :return: The plugin's :class:`balcao.ExporterSpec` objects.

    Example::

        @hookimpl
        def balcao_register_exporters():
            return [ExporterSpec(name="csv", title="CSV", route_handlers=[download])]
    """
    return ()


@hookspec
def balcao_register_routing_rules(config: Any, settings: Settings) -> Iterable[RoutingRuleSpec]:
    """Register routing rules written in code; they run with the declarative rules,
    ordered by (priority, name).

    Called once per plugin when the runtime is built; the rules' ``evaluate`` coroutines are
    then called on every intake (and by ``balcao routing test``), in order, until one
    decides. Synchronous registration; each plugin on its own.

    :param config: This plugin's validated configuration (the instance of the type its
        :func:`balcao_config_type` returned), or ``None`` when it declares none.
    :param settings: The core's :class:`balcao.Settings`.
    :return: The plugin's :class:`balcao.RoutingRuleSpec` objects.

    Example::

        async def library(m):
            if "biblioteca" in m.description.lower():
                return RoutingDecision(forward_to="BIBLIO", reason="menciona 'biblioteca'")
            return None

        @hookimpl
        def balcao_register_routing_rules():
            return [RoutingRuleSpec(name="biblioteca", priority=50, evaluate=library)]
    """
    return ()


@hookspec
def balcao_register_commands(config: Any, settings: Settings) -> Iterable[CommandSpec]:
    """Add ``balcao`` sub-commands (click commands).

    Called when the ``balcao`` program starts, before it parses its arguments. Synchronous;
    each plugin on its own.

    :param config: This plugin's validated configuration (the instance of the type its
        :func:`balcao_config_type` returned), or ``None`` when it declares none.
    :param settings: The core's :class:`balcao.Settings`.
    :return: The plugin's :class:`balcao.CommandSpec` objects.

    Example::

        @click.command("hello")
        def hello():
            click.echo("olá")

        @hookimpl
        def balcao_register_commands():
            return [CommandSpec(command=hello)]
    """
    return ()


@hookspec
def balcao_register_jobs(config: Any, settings: Settings) -> Iterable[JobSpec]:
    """Register periodic background jobs run by ``balcao worker`` (or the embedded one).

    Called once per plugin when the runtime is built; each job's ``run(desk)`` coroutine is
    then called by the worker every ``every``. Synchronous registration; each plugin on its own.

    :param config: This plugin's validated configuration (the instance of the type its
        :func:`balcao_config_type` returned), or ``None`` when it declares none.
    :param settings: The core's :class:`balcao.Settings`.
    :return: The plugin's :class:`balcao.JobSpec` objects.

    Example::

        async def poll(desk):
            ...

        @hookimpl
        def balcao_register_jobs():
            return [JobSpec(name="sms-poll", run=poll, every=timedelta(minutes=5))]
    """
    return ()


@hookspec
def balcao_register_migrations(config: Any, settings: Settings) -> Iterable[MigrationSpec]:
    """Register a folder of Alembic revisions for the plugin's own tables.

    Called when the runtime is built and by ``balcao db upgrade``, which applies the core's
    chain and then every plugin's branch. Synchronous; each plugin on its own.

    :param config: This plugin's validated configuration (the instance of the type its
        :func:`balcao_config_type` returned), or ``None`` when it declares none.
    :param settings: The core's :class:`balcao.Settings`.
    :return: The plugin's :class:`balcao.MigrationSpec` objects.

    Example::

        @hookimpl
        def balcao_register_migrations():
            return [MigrationSpec(location=Path(__file__).parent / "migrations")]
    """
    return ()


@hookspec
def balcao_register_actions(config: Any, settings: Settings) -> Iterable[ActionSpec]:
    """Add actions to the staff manifestation page (e.g. "Registrar no Fala.BR").

    Called once per plugin when the runtime is built; the actions are shown on the staff
    page and listed in ``GET /api/v1/manifestations/{protocol}`` for the roles they name.
    Synchronous; each plugin on its own.

    :param config: This plugin's validated configuration (the instance of the type its
        :func:`balcao_config_type` returned), or ``None`` when it declares none.
    :param settings: The core's :class:`balcao.Settings`.
    :return: The plugin's :class:`balcao.ActionSpec` objects.

    Example::

        @hookimpl
        def balcao_register_actions():
            return [ActionSpec(name="sms.resend", title="Reenviar SMS",
                               path="/exports/sms/manifestations/{protocol}", method="GET")]
    """
    return ()


@hookspec
def balcao_register_sealed_columns(
    config: Any, settings: Settings
) -> Iterable[SealedColumn | LookupColumn]:
    """Declare the plugin's sealed columns and keyed lookup hashes, by purpose.

    Called once per plugin when the runtime is built (and by ``balcao keys reseal``).
    Synchronous; each plugin on its own.

    :param config: This plugin's validated configuration (the instance of the type its
        :func:`balcao_config_type` returned), or ``None`` when it declares none.
    :param settings: The core's :class:`balcao.Settings`.
    :return: The plugin's :class:`balcao.SealedColumn` and :class:`balcao.LookupColumn` objects.

    ``desk.sealer(purpose)`` then seals and opens values bound to their row, and
    ``balcao keys reseal`` moves every declared column to the current key after a rotation
    (lookup hashes are recomputed from the sealed column they name as ``source``).

    Example::

        @hookimpl
        def balcao_register_sealed_columns():
            return [SealedColumn(purpose="sms.number", table="sms_contacts",
                                 column="number_sealed", row_id=("id",))]
    """
    return ()


@hookspec
def balcao_on_event(event: Event, desk: PluginDesk) -> None:
    """Be told of a lifecycle event (after its transaction committed). May be async.

    Called by the worker, once per event and per implementing plugin, at least once: an
    exception is logged with the plugin's name, affects nobody else, and the event is
    retried, then dead-lettered (``balcao deliveries`` lists and replays it);
    ``event.event_id`` is the same on every delivery, the idempotency key of what the handler
    does. Each plugin is called on its own (not ``firstresult``, not historic); the return
    value is ignored.

    :param event: The event: one of the types of :data:`balcao.Event`
        (:class:`balcao.ManifestationCreated`, :class:`balcao.StatusChanged`, ...).
    :param desk: The :class:`balcao.Desk`, to read the manifestation or queue a delivery.

    Example::

        @hookimpl
        async def balcao_on_event(event, desk):
            if isinstance(event, DeadlineOverdue):
                await notify_chief(event.protocol)
    """


@hookspec
def balcao_validate_transition(
    manifestation: Manifestation, source: State, target: State, actor: Actor, reason: str
) -> Veto | None:
    """Refuse a transition by returning a :class:`balcao.Veto`. May be async.

    Called by the core on every staff or system transition that the lifecycle table allows,
    before it is recorded. Every implementation is asked (not ``firstresult``); any veto
    blocks the transition, which raises :class:`balcao.TransitionRefused` (HTTP 409) with the
    veto's reason shown to the person who asked. An exception stops the transition too, as
    a :class:`balcao.PluginError` naming the plugin.

    :param manifestation: The manifestation as it is now (never the citizen's identity).
    :param source: The current :class:`balcao.State`.
    :param target: The requested :class:`balcao.State`.
    :param actor: Who asks for the transition (:class:`balcao.Actor`).
    :param reason: The reason given with the request (may be empty).
    :return: A :class:`balcao.Veto` to refuse, or ``None`` to allow.

    Example::

        @hookimpl
        def balcao_validate_transition(manifestation, target):
            if target == "closed" and not manifestation.falabr_nup:
                return Veto(reason="registre no Fala.BR antes de concluir")
    """
