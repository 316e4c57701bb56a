"""The core's own behaviour, registered as the plugin ``core`` like any other.

Light on purpose: the command line loads every plugin, this one included, to list commands;
the jobs' code (and the ORM behind it) is imported when the jobs are asked for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, cast

from balcao._specs import JobSpec
from balcao.hookspecs import hookimpl

if TYPE_CHECKING:
    from balcao._desk import Desk
    from balcao._facade import PluginDesk

WATCH_EVERY = dt.timedelta(minutes=15)
PURGE_EVERY = dt.timedelta(hours=1)
PRUNE_EVERY = dt.timedelta(hours=1)
DIGEST_EVERY = dt.timedelta(hours=1)


@hookimpl
def balcao_register_jobs() -> list[JobSpec]:
    from balcao._delivery.prune import run_job as prune_run
    from balcao._services.deadline_watch import purge_inbound, watch_deadlines
    from balcao._services.staff_digest import send_digests

    return [
        JobSpec(name="core.deadlines", run=_core(watch_deadlines), every=WATCH_EVERY),
        JobSpec(name="core.inbound_purge", run=_core(purge_inbound), every=PURGE_EVERY),
        JobSpec(name="core.delivery_prune", run=_core(prune_run), every=PRUNE_EVERY),
        JobSpec(name="core.staff_digest", run=_core(send_digests), every=DIGEST_EVERY),
    ]


def _core(job: Callable[[Desk], Awaitable[None]]) -> Callable[[PluginDesk], Awaitable[None]]:
    # the core's own jobs get the whole desk (the worker hands every job the same object)
    return cast("Callable[[PluginDesk], Awaitable[None]]", job)
