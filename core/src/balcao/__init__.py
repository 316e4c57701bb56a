"""Balcão: the virtual front desk of a public ombudsman office, with pluggable channels.

The public API for plugin authors and operators; everything in ``balcao._*`` is private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from balcao._lazy import lazy_exports, without_httpx_command_line

if TYPE_CHECKING:
    from balcao._access import Access, may
    from balcao._app import create_app
    from balcao._clock import Clock, SystemClock
    from balcao._config import ConfigError, Settings, load_settings
    from balcao._db.types import Base, UTCDateTime
    from balcao._desk import (
        Desk,
        DuplicateMessage,
        RateLimited,
        TransitionConflict,
        TransitionRefused,
    )
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
    from balcao._facade import PluginDesk
    from balcao._host import PluginError, PluginHost
    from balcao._keys import UnreadableSecret
    from balcao._sealing import LookupColumn, SealedColumn, Sealer
    from balcao._services.attachments import AttachmentRejected, safe_filename
    from balcao._services.attachments import sniff as sniff_media_type
    from balcao._services.manifestations import InvalidManifestation
    from balcao._services.read_model import CaseRecord, ReadModel
    from balcao._services.survey import SurveyClosed, SurveyView
    from balcao._specs import (
        ActionSpec,
        ChannelAdapter,
        ChannelSpec,
        CommandSpec,
        ExporterSpec,
        HomeCard,
        InboundItem,
        JobSpec,
        MigrationSpec,
        Registered,
        RoutingRuleSpec,
        WebhookRefusal,
        WebhookSpec,
    )
    from balcao._storage import OutsideStorage, PluginStorage
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
    from balcao._web.deadline_words import response_deadline_text
    from balcao._web.openapi import error_responses
    from balcao._web.params import InvalidParameter, parse_date
    from balcao._web.security import client_ip
    from balcao.hookspecs import hookimpl

without_httpx_command_line()

# Each public name is imported on first use: the command line and a plugin that needs one
# spec class must not pay for the web framework and the ORM.
__getattr__ = lazy_exports(
    __name__,
    {
        "Access": "balcao._access",
        "may": "balcao._access",
        "create_app": "balcao._app",
        "Clock": "balcao._clock",
        "SystemClock": "balcao._clock",
        "ConfigError": "balcao._config",
        "Settings": "balcao._config",
        "load_settings": "balcao._config",
        "Base": "balcao._db.tables",
        "UTCDateTime": "balcao._db.types",
        "Desk": "balcao._desk",
        "DuplicateMessage": "balcao._desk",
        "RateLimited": "balcao._desk",
        "TransitionConflict": "balcao._desk",
        "TransitionRefused": "balcao._desk",
        "BusinessCalendar": "balcao._domain.calendar",
        "Closure": "balcao._domain.calendar",
        "Period": "balcao._domain.calendar",
        "format_date_pt": "balcao._domain.dates_pt",
        "month_pt": "balcao._domain.dates_pt",
        "weekday_pt": "balcao._domain.dates_pt",
        "Purpose": "balcao._domain.deadlines",
        "FALABR_TYPE_IDS": "balcao._domain.kinds",
        "Kind": "balcao._domain.kinds",
        "TRANSITIONS": "balcao._domain.lifecycle",
        "IllegalTransition": "balcao._domain.lifecycle",
        "State": "balcao._domain.lifecycle",
        "Attended": "balcao._domain.survey",
        "InvalidSurveyAnswer": "balcao._domain.survey",
        "SurveyAnswer": "balcao._domain.survey",
        "Forbidden": "balcao._errors",
        "NotFound": "balcao._errors",
        "Closed": "balcao._events",
        "DeadlineNear": "balcao._events",
        "DeadlineOverdue": "balcao._events",
        "Event": "balcao._events",
        "EventBase": "balcao._events",
        "Forwarded": "balcao._events",
        "ManifestationCreated": "balcao._events",
        "MessageReceived": "balcao._events",
        "Replied": "balcao._events",
        "StatusChanged": "balcao._events",
        "SurveyAnswered": "balcao._events",
        "SurveyRequested": "balcao._events",
        "PluginDesk": "balcao._facade",
        "PluginError": "balcao._host",
        "PluginHost": "balcao._host",
        "UnreadableSecret": "balcao._keys",
        "LookupColumn": "balcao._sealing",
        "SealedColumn": "balcao._sealing",
        "Sealer": "balcao._sealing",
        "AttachmentRejected": "balcao._services.attachments",
        "safe_filename": "balcao._services.attachments",
        "sniff_media_type": "balcao._services.attachments:sniff",
        "InvalidManifestation": "balcao._services.manifestations",
        "CaseRecord": "balcao._services.read_model",
        "ReadModel": "balcao._services.read_model",
        "SurveyClosed": "balcao._services.survey",
        "SurveyView": "balcao._services.survey",
        "ActionSpec": "balcao._specs",
        "ChannelAdapter": "balcao._specs",
        "ChannelSpec": "balcao._specs",
        "CommandSpec": "balcao._specs",
        "ExporterSpec": "balcao._specs",
        "HomeCard": "balcao._specs",
        "InboundItem": "balcao._specs",
        "WebhookRefusal": "balcao._specs",
        "WebhookSpec": "balcao._specs",
        "JobSpec": "balcao._specs",
        "MigrationSpec": "balcao._specs",
        "Registered": "balcao._specs",
        "RoutingRuleSpec": "balcao._specs",
        "OutsideStorage": "balcao._storage",
        "PluginStorage": "balcao._storage",
        "Actor": "balcao._types",
        "Attachment": "balcao._types",
        "Citizen": "balcao._types",
        "DeadlineView": "balcao._types",
        "DeliveryFailed": "balcao._types",
        "DeliveryReceipt": "balcao._types",
        "IncomingFile": "balcao._types",
        "Manifestation": "balcao._types",
        "MessageView": "balcao._types",
        "NewManifestation": "balcao._types",
        "OutboundMessage": "balcao._types",
        "Receipt": "balcao._types",
        "RoutingDecision": "balcao._types",
        "Veto": "balcao._types",
        "current_actor": "balcao._web.auth",
        "staff_guard": "balcao._web.auth",
        "response_deadline_text": "balcao._web.deadline_words",
        "error_responses": "balcao._web.openapi",
        "InvalidParameter": "balcao._web.params",
        "parse_date": "balcao._web.params",
        "client_ip": "balcao._web.security",
        "hookimpl": "balcao.hookspecs",
    },
)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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
    "CaseRecord",
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
    "DuplicateMessage",
    "Event",
    "EventBase",
    "ExporterSpec",
    "Forbidden",
    "Forwarded",
    "HomeCard",
    "IllegalTransition",
    "InboundItem",
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
    "OutsideStorage",
    "Period",
    "PluginDesk",
    "PluginError",
    "PluginHost",
    "PluginStorage",
    "Purpose",
    "RateLimited",
    "ReadModel",
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
    "TransitionConflict",
    "TransitionRefused",
    "UTCDateTime",
    "UnreadableSecret",
    "Veto",
    "WebhookRefusal",
    "WebhookSpec",
    "client_ip",
    "create_app",
    "current_actor",
    "error_responses",
    "format_date_pt",
    "hookimpl",
    "lazy_exports",
    "load_settings",
    "may",
    "month_pt",
    "parse_date",
    "response_deadline_text",
    "safe_filename",
    "sniff_media_type",
    "staff_guard",
    "weekday_pt",
]
