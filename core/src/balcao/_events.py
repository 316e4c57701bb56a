"""Lifecycle events, a msgspec tagged union: new events and new defaulted fields never
change a hook's signature."""

from __future__ import annotations

import datetime as dt

import msgspec

__all__ = [
    "Closed",
    "DeadlineNear",
    "DeadlineOverdue",
    "Event",
    "EventBase",
    "Forwarded",
    "ManifestationCreated",
    "MessageReceived",
    "Replied",
    "StatusChanged",
    "SurveyAnswered",
    "SurveyRequested",
]


class EventBase(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    """What every event carries: which manifestation, and when. ``event_id`` is the same
    on every delivery of one event: handlers run at least once, and use it to do their
    work once."""

    protocol: str
    occurred_at: dt.datetime
    event_id: str = ""


class ManifestationCreated(EventBase, frozen=True, tag="created"):
    """A manifestation was registered (``kind``, and the ``channel`` it came through)."""

    kind: str
    channel: str


class MessageReceived(EventBase, frozen=True, tag="message_received"):
    """A citizen's message was added to an existing manifestation (``message_id`` on its
    timeline)."""

    channel: str
    message_id: int


class StatusChanged(EventBase, frozen=True, tag="status_changed"):
    """The state moved from ``source`` (``None`` at registration) to ``target``, by ``actor``
    (an :attr:`balcao.Actor.label`), for ``reason``."""

    source: str | None
    target: str
    actor: str
    reason: str = ""


class Forwarded(EventBase, frozen=True, tag="forwarded"):
    """The manifestation was forwarded to the unit ``unit`` by ``actor``."""

    unit: str
    actor: str


class Replied(EventBase, frozen=True, tag="replied"):
    """A message to the citizen was recorded (``kind`` ``reply`` or ``complementation``);
    ``text`` is what it says, for plugins that deliver it on another channel too."""

    channel: str
    message_id: int
    actor: str
    kind: str = "reply"
    text: str = ""


class DeadlineNear(EventBase, frozen=True, tag="deadline_near"):
    """A deadline (``purpose``, a :class:`balcao.Purpose` value) falls due soon, on ``due_on``."""

    purpose: str
    due_on: dt.date


class DeadlineOverdue(EventBase, frozen=True, tag="deadline_overdue"):
    """A deadline (``purpose``) passed on ``due_on`` without an answer."""

    purpose: str
    due_on: dt.date


class Closed(EventBase, frozen=True, tag="closed"):
    """The manifestation was concluded or archived (``state``)."""

    state: str


class SurveyRequested(EventBase, frozen=True, tag="survey_requested"):
    """A manifestation was concluded: its citizen may now answer the satisfaction survey
    (:meth:`balcao.Desk.answer_survey`); a channel plugin asks through its own channel
    (``channel`` is where the case came from)."""

    kind: str
    channel: str


class SurveyAnswered(EventBase, frozen=True, tag="survey_answered"):
    """An answer was given or changed (no comment, no identity)."""

    channel: str
    attended: str
    rating: int
    changed: bool = False


Event = (
    ManifestationCreated
    | MessageReceived
    | StatusChanged
    | Forwarded
    | Replied
    | DeadlineNear
    | DeadlineOverdue
    | Closed
    | SurveyRequested
    | SurveyAnswered
)
