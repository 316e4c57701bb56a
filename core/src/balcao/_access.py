"""Who may see and do what: the one access policy of the core.

Every staff route declares the :class:`Access` it needs (``opt={"access": ...}``); the guard
checks the caller's role against :data:`ROLES`, and routes about one manifestation ask
:func:`require` (through ``Desk.authorize``) before they read or change it. Lists, searches
and counts are narrowed with :func:`scoped`, and what a unit receives is cut with
:func:`redact` and :func:`unit_timeline`. Nothing else in the core decides who sees what."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from balcao._domain.lifecycle import State
from balcao._errors import Forbidden, NotFound
from balcao._types import Actor, Manifestation

if TYPE_CHECKING:
    from balcao._services.queries import Filters, TimelineEntry

__all__ = [
    "CASE_ACTIONS",
    "ROLES",
    "Access",
    "can_see",
    "may",
    "redact",
    "refusal",
    "require",
    "role_may",
    "scoped",
    "unit_timeline",
]


class Access(enum.StrEnum):
    """What a staff route or a service call does; :data:`ROLES` says which roles may."""

    LIST = "list"
    VIEW = "view"
    REPLY = "reply"
    NOTE = "note"
    MESSAGE = "message"
    TRANSITION = "transition"
    COMPLEMENT = "complement"
    EXTEND = "extend"
    ASSIGN = "assign"
    MERGE = "merge"
    FORWARD = "forward"
    UNIT_ANSWER = "unit_answer"
    REVEAL_IDENTITY = "reveal_identity"
    LGPD = "lgpd"
    ATTACHMENT = "attachment"
    UNITS_LIST = "units_list"
    UNITS_PAGE = "units_page"
    UNITS_EDIT = "units_edit"
    AUDIT = "audit"
    REPORTS = "reports"
    ANNUAL_REPORT = "annual_report"
    ANNUAL_REPORT_EDIT = "annual_report_edit"
    RULES = "rules"
    RULES_EDIT = "rules_edit"
    USERS = "users"
    ACCOUNT = "account"
    PLUGINS = "plugins"
    EXPORT_READ = "export_read"
    EXPORT_WRITE = "export_write"


_ALL = frozenset({"ouvidor", "atendente", "unidade", "auditor"})
_OFFICE = frozenset({"ouvidor", "atendente"})
_READERS = frozenset({"ouvidor", "atendente", "auditor"})
_OUVIDOR = frozenset({"ouvidor"})

ROLES: dict[Access, frozenset[str]] = {
    Access.LIST: _ALL,
    Access.VIEW: _ALL,
    Access.REPLY: _OFFICE,
    Access.NOTE: _OFFICE,
    # The API's message: a unit member's message is always an internal note.
    Access.MESSAGE: _OFFICE | {"unidade"},
    # A unit member may only mark the case answered by the unit (see refusal()).
    Access.TRANSITION: _OFFICE | {"unidade"},
    Access.COMPLEMENT: _OFFICE,
    Access.EXTEND: _OFFICE,
    Access.ASSIGN: _OFFICE,
    Access.MERGE: _OFFICE,
    Access.FORWARD: _OFFICE,
    Access.UNIT_ANSWER: frozenset({"unidade"}),
    Access.REVEAL_IDENTITY: _OUVIDOR,
    Access.LGPD: _OUVIDOR,
    # Unit members get extracts only, never the citizen's files.
    Access.ATTACHMENT: _READERS,
    Access.UNITS_LIST: _ALL,
    Access.UNITS_PAGE: _OFFICE,
    Access.UNITS_EDIT: _OUVIDOR,
    Access.AUDIT: frozenset({"ouvidor", "auditor"}),
    Access.REPORTS: _READERS,
    Access.ANNUAL_REPORT: _READERS,
    # the sections on problems found and measures taken are the ouvidor's to write
    Access.ANNUAL_REPORT_EDIT: _OUVIDOR,
    Access.RULES: _READERS,
    # rules stored in the database, staff accounts, session and lockout limits
    Access.RULES_EDIT: _OUVIDOR,
    Access.USERS: _OUVIDOR,
    Access.ACCOUNT: _ALL,
    Access.PLUGINS: _ALL,
    Access.EXPORT_READ: _READERS,
    Access.EXPORT_WRITE: _OFFICE,
}

# Actions about one manifestation: the caller must also be able to see it.
CASE_ACTIONS = frozenset(
    {
        Access.VIEW,
        Access.REPLY,
        Access.NOTE,
        Access.MESSAGE,
        Access.TRANSITION,
        Access.COMPLEMENT,
        Access.EXTEND,
        Access.ASSIGN,
        Access.MERGE,
        Access.FORWARD,
        Access.UNIT_ANSWER,
        Access.REVEAL_IDENTITY,
        Access.LGPD,
        Access.ATTACHMENT,
    }
)


def _staff(actor: Actor) -> bool:
    # The system, plugins and citizens reach the desk through code paths that check
    # their own right (routing, an export the citizen consented to, the access code).
    return actor.kind == "user"


def role_may(role: str | None, action: Access | str) -> bool:
    """Whether ``role`` may use ``action`` at all (the route guard's question)."""
    try:
        return role in ROLES[Access(action)]
    except ValueError:
        return False


def can_see(actor: Actor, found: Manifestation) -> bool:
    """A unit member sees only what was forwarded to the member's unit."""
    if not _staff(actor) or actor.role != "unidade":
        return True
    return found.unit_code is not None and found.unit_code == actor.unit_code


def _sensitive(found: Manifestation) -> bool:
    return found.kind.whistleblowing or found.confidential


def _case_refusal(
    actor: Actor, action: Access, found: Manifestation, target: State | None
) -> str | None:
    """What the kind and the state of the case add to the role table."""
    if action is Access.REVEAL_IDENTITY and found.anonymous:
        return "manifestação anônima: não há identidade a revelar"
    if actor.role == "ouvidor":
        return None
    if action is Access.FORWARD and _sensitive(found):
        return "somente o(a) ouvidor(a) encaminha denúncias e manifestações sigilosas"
    if action is Access.MERGE and found.kind.whistleblowing:
        return "somente o(a) ouvidor(a) mescla denúncias"
    unit_moves = action is Access.TRANSITION and actor.role == "unidade"
    if unit_moves and target not in (None, State.UNIT_ANSWERED):
        return "a unidade só pode marcar a manifestação como respondida"
    return None


def refusal(
    actor: Actor,
    action: Access | str,
    found: Manifestation | None = None,
    target: State | None = None,
) -> str | None:
    """Why ``actor`` may not do ``action`` (to ``found``), or None when it may."""
    if not _staff(actor):
        return None
    chosen = Access(action)
    if not role_may(actor.role, chosen):
        return "seu papel não permite esta ação"
    if found is None:
        return None
    return _case_refusal(actor, chosen, found, target)


def may(
    actor: Actor,
    action: Access | str,
    found: Manifestation | None = None,
    target: State | None = None,
) -> bool:
    """Whether ``actor`` may do ``action`` (to ``found``, which it must be able to see)."""
    if found is not None and not can_see(actor, found):
        return False
    return refusal(actor, action, found, target) is None


def require(
    actor: Actor,
    action: Access | str,
    found: Manifestation | None = None,
    target: State | None = None,
) -> None:
    """Raise :class:`NotFound` when the case is hidden from ``actor`` (no existence leak),
    :class:`Forbidden` when it is visible but the action is not allowed."""
    if found is not None and not can_see(actor, found):
        raise NotFound(f"manifestação {found.protocol} não encontrada")
    reason = refusal(actor, action, found, target)
    if reason is not None:
        raise Forbidden(reason)


def scoped(actor: Actor, filters: Filters) -> Filters:
    """``filters`` narrowed to what ``actor`` may list: a unit member lists only its unit's
    cases and searches only the extracts it was sent (``unit_view``)."""
    if not _staff(actor) or actor.role != "unidade":
        return filters
    unit = actor.unit_code or ""
    return msgspec.structs.replace(filters, unit=unit or None, unit_view=unit)


def redact(actor: Actor, found: Manifestation) -> Manifestation:
    """What ``actor`` may read of a case: a unit gets no citizen text (it may identify a
    denunciante), no routing reason or rule, no tags and no channel data."""
    if not _staff(actor) or actor.role != "unidade":
        return found
    return msgspec.structs.replace(
        found,
        subject="",
        description="",
        routing_reason=None,
        routed_by=None,
        tags=(),
        extra={},
    )


_E = TypeVar("_E", bound="TimelineEntry")


def unit_timeline(actor: Actor, entries: Iterable[_E]) -> list[_E]:
    """The timeline ``actor`` may read: a unit sees the extracts forwarded to it and its own
    answers, never the citizen's messages nor the office's notes."""
    if not _staff(actor) or actor.role != "unidade":
        return list(entries)
    return [e for e in entries if e.type == "internal" and unit_message(e.detail, actor.unit_code)]


def unit_message(extra: dict[str, Any] | None, unit: str | None) -> bool:
    """Whether a staff-only message (its ``extra``) is one ``unit`` may read."""
    if not unit or not extra:
        return False
    return extra.get("forward_to") == unit or extra.get("unit_answer") == unit
