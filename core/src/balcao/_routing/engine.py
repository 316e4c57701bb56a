"""The routing engine: rules ordered by (priority, name), the first match decides unless it
says continue, a fallback leaves the manifestation in triage. Denúncias and comunicações are
never forwarded or assigned automatically (Decreto 10.153): the engine enforces it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import msgspec

from balcao._routing.compiled import CompiledRule
from balcao._routing.plan import plan_for
from balcao._routing.words import prepare
from balcao._specs import Registered, RoutingRuleSpec
from balcao._types import Manifestation, RoutingDecision

__all__ = ["FALLBACK", "Outcome", "ordered", "route"]

log = logging.getLogger("balcao.routing")
FALLBACK = "triagem (nenhuma regra se aplicou)"
WHISTLEBLOWING_NOTE = " (denúncia: encaminhamento automático não permitido, fica na ouvidoria)"


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """The combined decision and the explanation staff see; ``steps`` keeps each deciding
    rule with its own reason, in order."""

    rule: str
    reason: str
    forward_to: str | None = None
    assign_to: str | None = None
    round_robin: str | None = None
    priority: str | None = None
    tags: tuple[str, ...] = ()
    confidential: bool = False
    steps: tuple[tuple[str, str], ...] = ()
    decided_by: str = ""  # the rule that chose the unit or the person, if any


def routing_columns(
    outcome: Outcome,
    tags: Sequence[str] = (),
    priority: str = "normal",
    confidential: bool = False,
) -> dict[str, Any]:
    """The manifestation columns a decision sets, given the values it has now: the rule and
    reason, its tags added, its priority when it names one, confidential once either says so."""
    return {
        "routed_by": outcome.rule,
        "routing_reason": outcome.reason,
        "tags": list(dict.fromkeys([*tags, *outcome.tags])),
        "priority": outcome.priority or priority,
        "confidential": confidential or outcome.confidential,
    }


def ordered(rules: Sequence[Registered[RoutingRuleSpec]]) -> list[Registered[RoutingRuleSpec]]:
    """``rules`` in evaluation order: priority, then name."""
    return plan_for(rules).rules


def _moves(decision: RoutingDecision) -> bool:
    return bool(decision.forward_to or decision.assign_to or decision.round_robin)


def _restrict(draft: Manifestation, decision: RoutingDecision) -> RoutingDecision:
    if not draft.kind.whistleblowing or not _moves(decision):
        return decision
    return msgspec.structs.replace(
        decision,
        forward_to=None,
        assign_to=None,
        round_robin=None,
        reason=decision.reason + WHISTLEBLOWING_NOTE,
    )


def _first(outcome: str | None, decision: str | None) -> str | None:
    return outcome or decision


def _merge(outcome: Outcome | None, name: str, decision: RoutingDecision) -> Outcome:
    if outcome is None:
        outcome = Outcome(rule="", reason="")
    person = outcome.assign_to or outcome.round_robin
    return Outcome(
        rule=f"{outcome.rule}, {name}" if outcome.rule else name,
        reason=f"{outcome.reason}; {decision.reason}" if outcome.reason else decision.reason,
        forward_to=_first(outcome.forward_to, decision.forward_to),
        assign_to=outcome.assign_to if person else decision.assign_to,
        round_robin=outcome.round_robin if person else decision.round_robin,
        priority=_first(outcome.priority, decision.priority),
        tags=tuple(dict.fromkeys((*outcome.tags, *decision.tags))),
        confidential=outcome.confidential or decision.confidential,
        steps=(*outcome.steps, (name, decision.reason)),
        decided_by=outcome.decided_by or (name if _moves(decision) else ""),
    )


def _decide(
    rule: Registered[RoutingRuleSpec], spec: CompiledRule, draft: Manifestation
) -> RoutingDecision | None:
    # Declarative rules are plain functions: no coroutine per rule, thousands stay cheap.
    try:
        return spec.decide(draft)
    except Exception:
        log.exception("routing rule '%s' (%s) failed; skipped", spec.name, rule.plugin)
        return None


async def _evaluate(
    rule: Registered[RoutingRuleSpec], draft: Manifestation
) -> RoutingDecision | None:
    spec = rule.spec
    if isinstance(spec, CompiledRule):
        return _decide(rule, spec, draft)
    try:
        return await spec.evaluate(draft)
    except Exception:
        log.exception("routing rule '%s' of plugin '%s' failed; skipped", spec.name, rule.plugin)
        return None


async def route(rules: Sequence[Registered[RoutingRuleSpec]], draft: Manifestation) -> Outcome:
    """Decide where ``draft`` goes; never raises because of a rule."""
    outcome: Outcome | None = None
    plan = plan_for(rules)
    # Only rules that can match run: a declarative rule none of whose words is in the text
    # (or made for other channels or kinds) is never looked at, so thousands stay cheap.
    words = prepare(draft.subject, draft.description).words
    for position in plan.candidates(words, draft.channel, draft.kind.value):
        rule = plan.rules[position]
        spec = rule.spec
        if isinstance(spec, CompiledRule):
            decision = _decide(rule, spec, draft)
        else:
            decision = await _evaluate(rule, draft)
        if decision is None:
            continue
        outcome = _merge(outcome, spec.name, _restrict(draft, decision))
        if decision.stop:
            break
    return outcome or Outcome(rule="fallback", reason=FALLBACK, steps=(("fallback", FALLBACK),))
