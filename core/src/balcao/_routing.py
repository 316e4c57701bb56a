"""The routing engine: rules ordered by (priority, name), the first match decides unless it
says continue, a fallback leaves the manifestation in triage. Denúncias and comunicações are
never forwarded or assigned automatically (Decreto 10.153): the engine enforces it."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import msgspec

from balcao._specs import Registered, RoutingRuleSpec
from balcao._types import Manifestation, RoutingDecision

__all__ = ["FALLBACK", "Outcome", "route"]

log = logging.getLogger("balcao.routing")
FALLBACK = "triagem (nenhuma regra se aplicou)"


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """The combined decision and the explanation staff see."""

    rule: str
    reason: str
    forward_to: str | None = None
    assign_to: str | None = None
    priority: str | None = None
    tags: tuple[str, ...] = ()
    confidential: bool = False


def ordered(rules: Sequence[Registered[RoutingRuleSpec]]) -> list[Registered[RoutingRuleSpec]]:
    return sorted(rules, key=lambda r: (r.spec.priority, r.spec.name))


def _restrict(draft: Manifestation, decision: RoutingDecision) -> RoutingDecision:
    if not draft.kind.whistleblowing or not (decision.forward_to or decision.assign_to):
        return decision
    note = " (denúncia: encaminhamento automático não permitido, fica na ouvidoria)"
    return msgspec.structs.replace(
        decision, forward_to=None, assign_to=None, reason=decision.reason + note
    )


def _merge(outcome: Outcome | None, name: str, decision: RoutingDecision) -> Outcome:
    if outcome is None:
        return Outcome(
            rule=name,
            reason=decision.reason,
            forward_to=decision.forward_to,
            assign_to=decision.assign_to,
            priority=decision.priority,
            tags=decision.tags,
            confidential=decision.confidential,
        )
    return Outcome(
        rule=f"{outcome.rule}, {name}",
        reason=f"{outcome.reason}; {decision.reason}",
        forward_to=outcome.forward_to or decision.forward_to,
        assign_to=outcome.assign_to or decision.assign_to,
        priority=outcome.priority or decision.priority,
        tags=tuple(dict.fromkeys((*outcome.tags, *decision.tags))),
        confidential=outcome.confidential or decision.confidential,
    )


async def _evaluate(
    rule: Registered[RoutingRuleSpec], draft: Manifestation
) -> RoutingDecision | None:
    try:
        return await rule.spec.evaluate(draft)
    except Exception:
        log.exception(
            "routing rule '%s' of plugin '%s' failed; skipped", rule.spec.name, rule.plugin
        )
        return None


async def route(rules: Sequence[Registered[RoutingRuleSpec]], draft: Manifestation) -> Outcome:
    """Decide where ``draft`` goes; never raises because of a rule."""
    outcome: Outcome | None = None
    for rule in ordered(rules):
        decision = await _evaluate(rule, draft)
        if decision is None:
            continue
        outcome = _merge(outcome, rule.spec.name, _restrict(draft, decision))
        if decision.stop:
            break
    return outcome or Outcome(rule="fallback", reason=FALLBACK)
