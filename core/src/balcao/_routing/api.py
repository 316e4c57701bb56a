"""``GET /api/v1/routing/rules``: the rule book in evaluation order, with each rule's source."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from litestar import get
from litestar.di import NamedDependency

from balcao._access import Access
from balcao._desk import Desk
from balcao._routing.compiled import CompiledRule
from balcao._routing.engine import ordered
from balcao._specs import Registered, RoutingRuleSpec
from balcao._web.auth import staff_guard
from balcao._web.routers import AppRouter

__all__ = ["RuleView", "routing_router", "rule_book"]


class RuleView(msgspec.Struct, frozen=True, kw_only=True):
    position: int
    name: str
    priority: int
    source: Literal["config", "database", "plugin"]
    plugin: str | None = None
    description: str = ""
    continue_: bool | None = msgspec.field(name="continue", default=None)
    when: dict[str, Any] | None = None
    then: dict[str, Any] | None = None


def _view(position: int, rule: Registered[RoutingRuleSpec]) -> RuleView:
    spec = rule.spec
    if not isinstance(spec, CompiledRule):
        return RuleView(
            position=position,
            name=spec.name,
            priority=spec.priority,
            source="plugin",
            plugin=rule.plugin,
        )
    config = spec.config
    return RuleView(
        position=position,
        name=spec.name,
        priority=spec.priority,
        source="database" if spec.source == "database" else "config",
        description=config.description,
        continue_=config.continue_,
        when=msgspec.to_builtins(config.when),
        then=msgspec.to_builtins(config.then),
    )


async def rule_book(desk: Desk) -> list[RuleView]:
    """Active routing rules in the order they are evaluated (database rules included)."""
    rules = await desk.current_rules()
    return [_view(i, r) for i, r in enumerate(ordered(rules), start=1)]


@get(
    "/rules",
    summary="Listar regras de roteamento",
    description=(
        "As regras ativas (declarativas e dos plugins) na ordem em que são "
        "avaliadas: prioridade e depois nome."
    ),
    opt={"access": Access.RULES},
)
async def list_rules(desk: NamedDependency[Desk]) -> list[RuleView]:
    """Active routing rules in the order they are evaluated (priority, then name)."""
    return await rule_book(desk)


def routing_router() -> AppRouter:
    """Mount beside the core API: ``route_handlers=[api_router(), routing_router(), ...]``."""
    return AppRouter(
        path="/api/v1/routing",
        guards=[staff_guard],
        tags=["roteamento"],
        route_handlers=[list_rules],
    )
