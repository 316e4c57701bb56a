"""Declarative rules compiled once at load into plain checks, cheapest first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from balcao._domain.calendar import BusinessCalendar
from balcao._routing.schema import RuleConfig, Then, When
from balcao._routing.words import Phrase, Text, phrase, prepare
from balcao._specs import RoutingRuleSpec
from balcao._types import Manifestation, RoutingDecision

__all__ = ["CompiledRule", "compile_rule"]

# A check answers None (no match) or the words that explain the match ("" adds nothing).
Check = Callable[[Manifestation], str | None]
MAX_REGEX_MEMORY = 8 << 20


class RuleProblem(ValueError):
    """A rule that cannot be compiled; ``key`` names the offending key."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"chave '{key}': {problem}")
        self.key = key


@dataclass(frozen=True, kw_only=True)
class CompiledRule(RoutingRuleSpec):
    """A declarative rule: ``decide`` is the synchronous body behind ``evaluate``."""

    decide: Callable[[Manifestation], RoutingDecision | None]
    config: RuleConfig
    source: str = "config"
    gate: frozenset[str] = frozenset()  # the rule can only match when one of these words is in
    channels: frozenset[str] = frozenset()  # ... only on these channels (empty: any)
    kinds: frozenset[str] = frozenset()  # ... only for these kinds (empty: any)
    evaluate: Callable[[Manifestation], Any] = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        async def evaluate(draft: Manifestation) -> RoutingDecision | None:
            return self.decide(draft)

        object.__setattr__(self, "evaluate", evaluate)


def _text(draft: Manifestation) -> Text:
    return prepare(draft.subject, draft.description)


def _quoted(phrases: Sequence[Phrase]) -> str:
    return ", ".join(f"'{p.original}'" for p in phrases)


def _phrases(key: str, words: Sequence[str]) -> tuple[Phrase, ...]:
    try:
        return tuple(phrase(w) for w in words)
    except ValueError as exc:
        raise RuleProblem(key, str(exc)) from exc


def _kind_checks(when: When) -> list[Check]:
    checks: list[Check] = []
    if when.kinds:
        kinds = frozenset(when.kinds)
        checks.append(lambda d: f"tipo {d.kind.value}" if d.kind in kinds else None)
    if when.kinds_not:
        excluded = frozenset(when.kinds_not)
        checks.append(lambda d: None if d.kind in excluded else "")
    if when.channels:
        channels = frozenset(when.channels)
        checks.append(lambda d: f"canal {d.channel}" if d.channel in channels else None)
    if when.channels_not:
        other = frozenset(when.channels_not)
        checks.append(lambda d: None if d.channel in other else "")
    return checks


def _identity_check(when: When) -> list[Check]:
    if when.identity is None:
        return []
    anonymous = when.identity == "anonymous"
    label = "anônima" if anonymous else "identificada"
    return [lambda d: label if d.anonymous is anonymous else None]


def _hours_check(when: When, calendar: BusinessCalendar) -> list[Check]:
    if when.hours is None:
        return []
    inside = when.hours == "open"
    label = "dentro do horário de atendimento" if inside else "fora do horário de atendimento"
    return [lambda d: label if calendar.is_open(d.created_at) is inside else None]


def _word_checks(when: When) -> list[Check]:
    checks: list[Check] = []
    if when.words_any:
        any_of = _phrases("when.words_any", when.words_any)

        def any_check(d: Manifestation) -> str | None:
            text = _text(d)
            found = [p for p in any_of if p.found(text)]
            return f"palavras encontradas: {_quoted(found)}" if found else None

        checks.append(any_check)
    if when.words_all:
        all_of = _phrases("when.words_all", when.words_all)

        def all_check(d: Manifestation) -> str | None:
            text = _text(d)
            return (
                f"todas as palavras: {_quoted(all_of)}"
                if all(p.found(text) for p in all_of)
                else None
            )

        checks.append(all_check)
    if when.words_none:
        none_of = _phrases("when.words_none", when.words_none)
        checks.append(lambda d: None if any(p.found(_text(d)) for p in none_of) else "")
    return checks


def _compile_regex(pattern: str) -> Any:
    # RE2 (~2.5 MB resident) loads with the first rule that has a regex: at start-up, where
    # a bad pattern is reported, but not on a server whose rules have none
    import re2  # type: ignore[import-untyped]

    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    options.never_capture = True
    options.max_mem = MAX_REGEX_MEMORY
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise RuleProblem(
            "when.regex",
            f"expressão regular inválida {pattern!r} ({detail}); referências e "
            "'lookaround' não são aceitas",
        ) from exc


def _regex_check(when: When) -> list[Check]:
    patterns = [when.regex] if isinstance(when.regex, str) else list(when.regex)
    if not patterns:
        return []
    compiled = [(p, _compile_regex(p)) for p in patterns]

    def check(d: Manifestation) -> str | None:
        text = _text(d)
        # RE2 runs in linear time: citizen text cannot make it backtrack for ever.
        for source, regex in compiled:
            if regex.search(text.raw) or regex.search(text.folded):
                return f"expressão /{source}/"
        return None

    return [check]


def _mentions_check(when: When) -> list[Check]:
    table = [(code, _phrases(f"when.mentions.{code}", w)) for code, w in when.mentions.items()]
    if not table:
        return []

    def check(d: Manifestation) -> str | None:
        text = _text(d)
        found = [(c, [p for p in ps if p.found(text)]) for c, ps in table]
        named = [f"{c} ({_quoted(ps)})" for c, ps in found if ps]
        return f"menciona {', '.join(named)}" if named else None

    return [check]


def _mentioned(when: When, draft: Manifestation) -> str | None:
    text = _text(draft)
    for code, words in when.mentions.items():
        if any(phrase(w).found(text) for w in words):
            return code
    return None


def _checks(when: When, calendar: BusinessCalendar) -> list[Check]:
    return [
        *_kind_checks(when),
        *_identity_check(when),
        *_hours_check(when, calendar),
        *_word_checks(when),
        *_mentions_check(when),
        *_regex_check(when),
    ]


def _validate_then(rule: RuleConfig) -> None:
    then = rule.then
    if then.assign_to and then.round_robin:
        raise RuleProblem("then.round_robin", "use 'assign_to' ou 'round_robin', não os dois")
    if then.forward_to and then.forward_to_mentioned:
        raise RuleProblem(
            "then.forward_to_mentioned", "use 'forward_to' ou 'forward_to_mentioned', não os dois"
        )
    if then.forward_to_mentioned and not rule.when.mentions:
        raise RuleProblem("then.forward_to_mentioned", "exige 'when.mentions'")


def _decision(rule: RuleConfig, draft: Manifestation, reasons: list[str]) -> RoutingDecision:
    then: Then = rule.then
    forward = _mentioned(rule.when, draft) if then.forward_to_mentioned else then.forward_to
    explained = "; ".join(r for r in reasons if r) or "regra sem condições (vale para todas)"
    return RoutingDecision(
        reason=explained,
        forward_to=forward,
        assign_to=then.assign_to,
        round_robin=then.round_robin,
        priority=then.priority,
        tags=tuple(then.tags),
        confidential=then.confidential,
        stop=not rule.continue_,
    )


def _gate(when: When) -> frozenset[str]:
    """Words of which at least one must be in the text for the rule to match (empty: no
    such word). Checking it first makes a rule that cannot match cost one set look-up."""
    if when.words_any:
        return frozenset(phrase(w).anchor for w in when.words_any)
    if when.words_all:
        return frozenset({phrase(when.words_all[0]).anchor})
    if when.mentions:
        return frozenset(phrase(w).anchor for words in when.mentions.values() for w in words)
    return frozenset()


def compile_rule(rule: RuleConfig, calendar: BusinessCalendar) -> CompiledRule:
    """Compile ``rule`` once; RuleProblem names the key that cannot be used."""
    _validate_then(rule)
    checks = _checks(rule.when, calendar)
    gate = _gate(rule.when)

    def decide(draft: Manifestation) -> RoutingDecision | None:
        if gate and gate.isdisjoint(_text(draft).words):
            return None
        reasons: list[str] = []
        for check in checks:
            found = check(draft)
            if found is None:
                return None
            reasons.append(found)
        return _decision(rule, draft, reasons)

    return CompiledRule(
        name=rule.name,
        priority=rule.priority,
        decide=decide,
        config=rule,
        gate=gate,
        channels=frozenset(rule.when.channels),
        kinds=frozenset(k.value for k in rule.when.kinds),
    )
