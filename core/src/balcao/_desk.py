"""The desk: the core's service API, composed of one service per job (``_services/desk``).

Routes, the worker and plugins use it; plugins only through :class:`balcao.PluginDesk`.
"""

from __future__ import annotations

from balcao._errors import NotFound
from balcao._services.desk.citizens import CitizenDesk
from balcao._services.desk.errors import (
    DuplicateMessage,
    RateLimited,
    TransitionConflict,
    TransitionRefused,
)
from balcao._services.desk.intake import IntakeDesk
from balcao._services.desk.lgpd import LgpdDesk
from balcao._services.desk.messaging import MessagingDesk
from balcao._services.desk.survey import SurveyDesk
from balcao._services.desk.vault import VaultDesk
from balcao._services.desk.workspace import WorkspaceDesk

__all__ = [
    "Desk",
    "DuplicateMessage",
    "NotFound",
    "RateLimited",
    "TransitionConflict",
    "TransitionRefused",
]


class Desk(IntakeDesk, MessagingDesk, CitizenDesk, VaultDesk, SurveyDesk, WorkspaceDesk, LgpdDesk):
    """What the core offers routes, the worker and plugins: intake, messages, transitions,
    replies, the identity vault. Plugins use the :class:`balcao.PluginDesk` part of it."""
