"""The evaluation plan of a rule book: its order, and indexes from words, channels and kinds
to the declarative rules that need them, so a decision only looks at rules that can match.
Each declarative rule sits in one index, the most selective it has (its words, else its
channels, else its kinds); the rule's own checks still run on every candidate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from balcao._routing.compiled import CompiledRule
from balcao._specs import Registered, RoutingRuleSpec

__all__ = ["Plan", "plan_for"]

Rules = Sequence[Registered[RoutingRuleSpec]]


Index = dict[str, list[int]]


@dataclass(frozen=True)
class Plan:
    """Rules in (priority, name) order; ``always`` are the positions of rules that must
    always run (code rules, declarative rules with no words, channels or kinds)."""

    rules: list[Registered[RoutingRuleSpec]]
    always: frozenset[int]
    by_word: Index
    by_channel: Index
    by_kind: Index

    def candidates(self, words: frozenset[str], channel: str, kind: str) -> list[int]:
        """Positions of the rules that can match a text with ``words`` that came through
        ``channel`` as a ``kind``, in order."""
        found = set(self.always)
        for word in words & self.by_word.keys():
            found.update(self.by_word[word])
        found.update(self.by_channel.get(channel, ()))
        found.update(self.by_kind.get(kind, ()))
        return sorted(found)


def _keys(rule: Registered[RoutingRuleSpec]) -> tuple[str, frozenset[str]]:
    """The index a rule goes in and its keys there ("" and none: it always runs)."""
    spec = rule.spec
    if not isinstance(spec, CompiledRule):
        return "", frozenset()
    for name, keys in (("word", spec.gate), ("channel", spec.channels), ("kind", spec.kinds)):
        if keys:
            return name, keys
    return "", frozenset()


def _build(rules: Rules) -> Plan:
    ordered = sorted(rules, key=lambda r: (r.spec.priority, r.spec.name))
    always: set[int] = set()
    by_word: Index = {}
    by_channel: Index = {}
    by_kind: Index = {}
    indexes = {"word": by_word, "channel": by_channel, "kind": by_kind}
    for position, rule in enumerate(ordered):
        name, keys = _keys(rule)
        if not name:
            always.add(position)
        for key in keys:
            indexes[name].setdefault(key, []).append(position)
    return Plan(ordered, frozenset(always), by_word, by_channel, by_kind)


_last: tuple[tuple[int, ...], Plan] = ((), Plan([], frozenset(), {}, {}, {}))


def plan_for(rules: Rules) -> Plan:
    """The plan of ``rules``; the last one is kept, as the rule book rarely changes (the
    cached plan holds the rules, so their ids cannot be reused while it is kept)."""
    global _last
    identity = tuple(map(id, rules))
    if identity != _last[0]:
        _last = (identity, _build(rules))
    return _last[1]
