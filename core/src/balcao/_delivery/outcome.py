"""What running a claimed row came to, and the retry/dead-letter rule shared by queues."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from balcao._delivery.claims import DEAD, PENDING, backoff

__all__ = ["Outcome", "retry_or_bury"]

log = logging.getLogger("balcao.worker")


@dataclass(frozen=True)
class Outcome:
    ok: bool
    result: Any = None
    error: str | None = None
    retryable: bool = True
    retry_after: float | None = None

    @classmethod
    def failed(cls, exc: BaseException) -> Outcome:
        return cls(ok=False, error=f"{type(exc).__name__}: {exc}")


def retry_or_bury(
    row: Any, outcome: Outcome, now: dt.datetime, max_attempts: int, base_seconds: float
) -> bool:
    """Put a failed row back for a later attempt, or in the dead letter; True when dead."""
    row.last_error = outcome.error
    if outcome.retryable and row.attempts < max_attempts:
        delay = (
            dt.timedelta(seconds=outcome.retry_after)
            if outcome.retry_after is not None
            else backoff(base_seconds, row.attempts)
        )
        row.state, row.next_attempt_at = PENDING, now + delay
        log.warning(
            "%s %s failed (attempt %s), next at %s: %s",
            row.__tablename__,
            getattr(row, "id", getattr(row, "name", "?")),
            row.attempts,
            row.next_attempt_at.isoformat(timespec="seconds"),
            outcome.error,
        )
        return False
    row.state = DEAD
    log.error(
        "%s %s is dead after %s attempts: %s",
        row.__tablename__,
        getattr(row, "id", getattr(row, "name", "?")),
        row.attempts,
        outcome.error,
    )
    return True
