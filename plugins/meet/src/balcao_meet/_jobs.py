"""The periodic jobs: reminders, Calendar sync after failures, post-meeting import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from balcao import JobSpec, PluginDesk
from balcao_meet._bookings import Bookings
from balcao_meet._config import MeetConfig
from balcao_meet._imports import import_conferences
from balcao_meet._reminders import send_reminders
from balcao_meet._sync import sync_events

__all__ = ["jobs"]


def _job(
    config: MeetConfig, name: str, work: Callable[[Bookings], Awaitable[int]], minutes: int
) -> JobSpec:
    async def run(desk: PluginDesk) -> None:
        await work(Bookings(desk, config))

    return JobSpec(name=f"meet.{name}", run=run, every=dt.timedelta(minutes=minutes))


def jobs(config: MeetConfig) -> list[JobSpec]:
    return [
        _job(config, "reminders", send_reminders, 5),
        _job(config, "sync", sync_events, 5),
        _job(config, "import", import_conferences, 15),
    ]
