"""Balcão: the virtual front desk of a public ombudsman office, with pluggable channels.

The public API for plugin authors and operators; everything in ``balcao._*`` is private.
"""

from __future__ import annotations

from balcao._access import Access, may
from balcao._app import create_app
from balcao._clock import Clock, SystemClock
from balcao._config import ConfigError, Settings, load_settings
from balcao._db.types import Base, UTCDateTime
from balcao._desk import Desk, RateLimited, TransitionRefused
from balcao._domain.calendar import BusinessCalendar, Closure, Period
from balcao._domain.dates_pt import format_date_pt, month_pt, weekday_pt
from balcao._domain.deadlines import Purpose
from balcao._domain.kinds import FALABR_TYPE_IDS, Kind
from balcao._domain.lifecycle import TRANSITIONS, IllegalTransition, State
from balcao._domain.survey import Attended, InvalidSurveyAnswer, SurveyAnswer
from balcao._errors import Forbidden, NotFound
from balcao._events import (
    Closed,
    DeadlineNear,
    DeadlineOverdue,
    Event,
    EventBase,
    Forwarded,
    ManifestationCreated,
    MessageReceived,
    Replied,
    StatusChanged,
    SurveyAnswered,
    SurveyRequested,
)
from balcao._host import PluginError, PluginHost
from balcao._keys import UnreadableSecret
from balcao._sealing import LookupColumn, SealedColumn, Sealer
from balcao._services.attachments import AttachmentRejected, safe_filename
from balcao._services.attachments import sniff as sniff_media_type
from balcao._services.manifestations import InvalidManifestation
from balcao._services.survey import SurveyClosed, SurveyView
from balcao._specs import (
    ActionSpec,
    ChannelAdapter,
    ChannelSpec,
    CommandSpec,
    ExporterSpec,
    HomeCard,
    JobSpec,
    MigrationSpec,
    Registered,
    RoutingRuleSpec,
)
from balcao._types import (
    Actor,
    Attachment,
    Citizen,
    DeadlineView,
    DeliveryFailed,
    DeliveryReceipt,
    IncomingFile,
    Manifestation,
    MessageView,
    NewManifestation,
    OutboundMessage,
    Receipt,
    RoutingDecision,
    Veto,
)
from balcao._web.auth import current_actor, staff_guard
from balcao._web.openapi import error_responses
from balcao._web.params import InvalidParameter, parse_date
from balcao._web.security import client_ip
from balcao.hookspecs import hookimpl

__all__ = [
    "FALABR_TYPE_IDS",
    "TRANSITIONS",
    "Access",
    "ActionSpec",
    "Actor",
    "Attachment",
    "AttachmentRejected",
    "Attended",
    "Base",
    "BusinessCalendar",
    "ChannelAdapter",
    "ChannelSpec",
    "Citizen",
    "Clock",
    "Closed",
    "Closure",
    "CommandSpec",
    "ConfigError",
    "DeadlineNear",
    "DeadlineOverdue",
    "DeadlineView",
    "DeliveryFailed",
    "DeliveryReceipt",
    "Desk",
    "Event",
    "EventBase",
    "ExporterSpec",
    "Forbidden",
    "Forwarded",
    "HomeCard",
    "IllegalTransition",
    "IncomingFile",
    "InvalidManifestation",
    "InvalidParameter",
    "InvalidSurveyAnswer",
    "JobSpec",
    "Kind",
    "LookupColumn",
    "Manifestation",
    "ManifestationCreated",
    "MessageReceived",
    "MessageView",
    "MigrationSpec",
    "NewManifestation",
    "NotFound",
    "OutboundMessage",
    "Period",
    "PluginError",
    "PluginHost",
    "Purpose",
    "RateLimited",
    "Receipt",
    "Registered",
    "Replied",
    "RoutingDecision",
    "RoutingRuleSpec",
    "SealedColumn",
    "Sealer",
    "Settings",
    "State",
    "StatusChanged",
    "SurveyAnswer",
    "SurveyAnswered",
    "SurveyClosed",
    "SurveyRequested",
    "SurveyView",
    "SystemClock",
    "TransitionRefused",
    "UTCDateTime",
    "UnreadableSecret",
    "Veto",
    "client_ip",
    "create_app",
    "current_actor",
    "error_responses",
    "format_date_pt",
    "hookimpl",
    "load_settings",
    "may",
    "month_pt",
    "parse_date",
    "safe_filename",
    "sniff_media_type",
    "staff_guard",
    "weekday_pt",
]
