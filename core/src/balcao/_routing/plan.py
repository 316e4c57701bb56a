"""The evaluation plan of a rule book: its order, and an index from words to the
declarative rules that need them, so a decision only looks at rules that can match."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from balcao._routing.compiled import CompiledRule
from balcao._specs import Registered, RoutingRuleSpec

__all__ = ["Plan", "plan_for"]

Rules = Sequence[Registered[RoutingRuleSpec]]


@dataclass(frozen=True)
class Plan:
    """Rules in (priority, name) order; ``always`` are the positions of rules that must
    always run (code rules, rules without words), ``index`` maps a word to positions."""

    rules: list[Registered[RoutingRuleSpec]]
    always: frozenset[int]
    index: dict[str, list[int]]

    def candidates(self, words: frozenset[str]) -> list[int]:
        """Positions of the rules that can match a text with ``words``, in order."""
        found = set(self.always)
        for word in words & self.index.keys():
            found.update(self.index[word])
        return sorted(found)


def _build(rules: Rules) -> Plan:
    ordered = sorted(rules, key=lambda r: (r.spec.priority, r.spec.name))
    always: set[int] = set()
    index: dict[str, list[int]] = {}
    for position, rule in enumerate(ordered):
        gate = rule.spec.gate if isinstance(rule.spec, CompiledRule) else frozenset()
        if not gate:
            always.add(position)
        for word in gate:
            index.setdefault(word, []).append(position)
    return Plan(ordered, frozenset(always), index)


_last: tuple[tuple[int, ...], Plan] = ((), Plan([], frozenset(), {}))


def plan_for(rules: Rules) -> Plan:
    """The plan of ``rules``; the last one is kept, as the rule book rarely changes (the
    cached plan holds the rules, so their ids cannot be reused while it is kept)."""
    global _last
    identity = tuple(map(id, rules))
    if identity != _last[0]:
        _last = (identity, _build(rules))
    return _last[1]
