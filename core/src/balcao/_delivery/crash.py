"""Crash points for the kill tests, and nothing else.

With ``BALCAO_TEST_CRASH_AT`` set, the process SIGKILLs itself when it reaches the named
step, so a test can stop a real ``balcao serve`` or ``balcao worker`` exactly there and then
check what a restart makes of it. The variable is for the test suite only: when it is unset
(always, in a deployment) no database listener is installed and every point returns at once.

The value is ``step`` or ``step:subject``, optionally followed by ``#n`` for the n-th time
the step is reached (default: the first). Steps:

- ``commit:<table>``: before the COMMIT of a transaction that inserted into ``<table>``;
- ``committed:<table>``: right after that COMMIT, before anything else (say, the answer);
- ``outbox-sent:<channel>``: the channel accepted a delivery, not yet recorded as delivered;
- ``event-handled:<event type>``: a plugin handled an event, not yet recorded as handled.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

__all__ = ["ENVIRONMENT", "crash_point", "install"]

ENVIRONMENT = "BALCAO_TEST_CRASH_AT"
_ARMED = "balcao_crash_armed"


class _Target:
    def __init__(self, value: str) -> None:
        spec, _, nth = value.partition("#")
        self.step, _, self.subject = spec.partition(":")
        self.remaining = int(nth or 1)

    def reached(self, step: str, subject: str) -> None:
        if step != self.step or (self.subject and subject != self.subject):
            return
        self.remaining -= 1
        if self.remaining <= 0:
            os.kill(os.getpid(), signal.SIGKILL)


_target = _Target(os.environ[ENVIRONMENT]) if os.environ.get(ENVIRONMENT) else None
_installed = False
_committing = False


def crash_point(step: str, subject: str = "") -> None:
    """Die here when the test asked for this step (see the module's docstring)."""
    if _target is not None:
        _target.reached(step, subject)


def install() -> None:
    """Watch commits, when a commit step is asked for (once per process)."""
    global _installed
    if _target is None or _installed or _target.step not in ("commit", "committed"):
        return
    _installed = True
    event.listen(Engine, "before_cursor_execute", _watch_insert)
    event.listen(Engine, "commit", _before_commit)
    event.listen(Engine, "rollback", _disarm)
    event.listen(Session, "after_commit", _after_commit)


def _watch_insert(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    assert _target is not None
    words = statement.split(None, 3)
    if words[:2] == ["INSERT", "INTO"] and words[2].strip('"') == _target.subject:
        conn.info[_ARMED] = True


def _before_commit(conn: Any) -> None:
    global _committing
    if conn.info.pop(_ARMED, False):
        crash_point("commit", _target.subject if _target else "")
        _committing = True  # the session's after_commit follows this COMMIT


def _disarm(conn: Any) -> None:
    conn.info.pop(_ARMED, None)


def _after_commit(_session: Any) -> None:
    global _committing
    if _committing:
        _committing = False
        crash_point("committed", _target.subject if _target else "")
