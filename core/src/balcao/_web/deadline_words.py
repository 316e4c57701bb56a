"""The response deadline in plain words for the citizen, from the deadline rules."""

from __future__ import annotations

from balcao._domain.deadlines import Purpose, rule_for
from balcao._domain.kinds import Kind
from balcao._types import DeadlineView
from balcao._web.formatting import long_date_text

__all__ = ["response_deadline_text"]


def response_deadline_text(kind: Kind, deadline: DeadlineView) -> str:
    """ "até 15 de janeiro de 2027 (30 dias, prorrogáveis por mais 30)", or what changed it
    (an extension, a pause for the citizen's complementação)."""
    rule = rule_for(Purpose.RESPONSE, kind)
    if deadline.paused:
        return (
            "suspenso enquanto a ouvidoria aguarda a complementação pedida a você; volta a "
            "correr quando você responder"
        )
    until = f"até {long_date_text(deadline.due_on)}"
    if deadline.extended:
        return f"{until} ({rule.days} dias, prorrogados por mais {rule.extension_days})"
    return f"{until} ({rule.days} dias, prorrogáveis por mais {rule.extension_days})"
