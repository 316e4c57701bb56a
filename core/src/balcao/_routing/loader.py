"""Loading the rule book at start-up: declarative rules from ``[routing]`` plus the rules
plugins register. A bad rule stops start-up with a message naming the rule and the key."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import msgspec

from balcao._config import ConfigError
from balcao._domain.calendar import BusinessCalendar
from balcao._routing.compiled import CompiledRule, compile_rule
from balcao._routing.engine import ordered
from balcao._routing.schema import RoutingConfig, convert_rule
from balcao._specs import Registered, RoutingRuleSpec

__all__ = ["CONFIG_SOURCE", "compile_one", "load_rules"]

log = logging.getLogger("balcao.routing")
CONFIG_SOURCE = "config"


def _section(raw: dict[str, Any]) -> RoutingConfig:
    try:
        return msgspec.convert(raw, RoutingConfig, strict=True)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"[routing]: {exc}") from exc


def _rule_name(raw: Any, position: int) -> str:
    name = raw.get("name") if isinstance(raw, dict) else None
    return f"'{name}'" if isinstance(name, str) and name else f"nº {position} (sem nome)"


def compile_one(raw: Any, position: int, calendar: BusinessCalendar) -> CompiledRule:
    """One ``[[routing.rules]]`` table compiled; ConfigError names the rule and the key."""
    where = f"[[routing.rules]] regra {_rule_name(raw, position)}"
    try:
        return compile_rule(convert_rule(raw), calendar)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def _origin(rule: Registered[RoutingRuleSpec]) -> str:
    return "[[routing.rules]]" if rule.plugin == CONFIG_SOURCE else f"plugin {rule.plugin}"


def _check_unique(rules: Sequence[Registered[RoutingRuleSpec]]) -> None:
    seen: dict[str, str] = {}
    for rule in rules:
        name = rule.spec.name
        if name in seen:
            raise ConfigError(
                f"regra de roteamento '{name}' definida duas vezes (em {seen[name]} e em "
                f"{_origin(rule)}); use nomes únicos"
            )
        seen[name] = _origin(rule)


def _declared(routing: dict[str, Any], calendar: BusinessCalendar) -> list[Any]:
    section = _section(routing)
    compiled = [compile_one(raw, i, calendar) for i, raw in enumerate(section.rules, start=1)]
    return [Registered(CONFIG_SOURCE, c) for c in compiled if c.config.enabled]


def load_rules(
    routing: dict[str, Any],
    calendar: BusinessCalendar,
    plugin_rules: Sequence[Registered[RoutingRuleSpec]] = (),
) -> list[Registered[RoutingRuleSpec]]:
    """Every active rule in evaluation order; ConfigError names the rule and the key."""
    rules = [*_declared(routing, calendar), *plugin_rules]
    _check_unique(rules)
    disabled = set(_section(routing).disabled)
    for name in disabled - {r.spec.name for r in rules}:
        log.warning("routing.disabled: não há regra chamada '%s'", name)
    return ordered([r for r in rules if r.spec.name not in disabled])
