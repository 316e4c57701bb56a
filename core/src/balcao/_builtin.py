"""The core's own behaviour, registered as the plugin ``core`` like any other.

Light on purpose: the command line loads every plugin, this one included, to list commands;
the jobs' code (and the ORM behind it) is imported when the jobs are asked for."""

from __future__ import annotations

import datetime as dt

from balcao._specs import JobSpec
from balcao.hookspecs import hookimpl

WATCH_EVERY = dt.timedelta(minutes=15)
PURGE_EVERY = dt.timedelta(hours=1)


@hookimpl
def balcao_register_jobs() -> list[JobSpec]:
    from balcao._services.deadline_watch import purge_inbound, watch_deadlines

    return [
        JobSpec(name="core.deadlines", run=watch_deadlines, every=WATCH_EVERY),
        JobSpec(name="core.inbound_purge", run=purge_inbound, every=PURGE_EVERY),
    ]
