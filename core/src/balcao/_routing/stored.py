"""Routing rules kept in the database, edited by the ouvidor in the browser.

They are written in the language of ``balcao.toml`` (``[[routing.rules]]`` blocks) and saved
as numbered versions; the newest version is in force. They join the rules loaded at start-up
(``balcao.toml`` and plugins) in one evaluation order (priority, then name); a name belongs to
one rule only, so a database rule may not reuse the name of a ``balcao.toml`` or plugin rule,
and ``[routing] disabled`` switches off database rules too.

Every instance follows a save at once, without a restart. A registration routes with the
newest version this process has seen, and its own insert returns the version in force in
the database (a subquery in the ``RETURNING`` of the same statement, no extra round trip):
when they differ, the transaction is rolled back and the case routed again with that version.
So a save, by this process or any other, holds for the next registration, and checking it
costs no statement of its own. Other decisions (a reopened case, the rules page) ask the
database for the newest version number (one primary-key look-up) each time."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import tomllib
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._config import ConfigError
from balcao._db.management import RuleVersionRow
from balcao._domain.calendar import BusinessCalendar
from balcao._routing.engine import ordered
from balcao._routing.loader import CONFIG_SOURCE, compile_one
from balcao._services import audit
from balcao._specs import Registered, RoutingRuleSpec
from balcao._types import Actor

if TYPE_CHECKING:
    from balcao._desk import Desk

__all__ = [
    "DATABASE_SOURCE",
    "RuleSourceError",
    "compile_source",
    "known_rules",
    "latest_version",
    "rules_at",
    "rules_in_force",
    "save_version",
    "version_in_force",
    "versions",
]

log = logging.getLogger("balcao.routing")
DATABASE_SOURCE = "database"
Rules = list[Registered[RoutingRuleSpec]]


class RuleSourceError(ValueError):
    """Rules that cannot be saved; the message names the rule and the reason (pt-BR)."""


def _parse(source: str) -> list[Any]:
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise RuleSourceError(f"texto inválido (formato TOML): {exc}") from exc
    routing = data.pop("routing", {})
    extra = sorted(data) + sorted(k for k in routing if k != "rules")
    if extra:
        raise RuleSourceError(
            f"só blocos [[routing.rules]] são aceitos aqui; '{extra[0]}' não "
            "(a lista 'disabled' e o resto da configuração ficam no balcao.toml)"
        )
    rules = routing.get("rules", [])
    if not isinstance(rules, list):
        raise RuleSourceError("use blocos [[routing.rules]], um por regra")
    return rules


def _origin(rule: Registered[RoutingRuleSpec]) -> str:
    return "balcao.toml" if rule.plugin == CONFIG_SOURCE else f"plugin {rule.plugin}"


def _clash(name: str, seen: dict[str, str], strict: bool) -> bool:
    if name not in seen:
        return False
    problem = f"regra '{name}': o nome já é usado por uma regra de {seen[name]}; use outro nome"
    if strict:
        raise RuleSourceError(problem)
    log.warning("regra do banco ignorada: %s", problem)
    return True


def compile_source(
    source: str,
    calendar: BusinessCalendar,
    base: Sequence[Registered[RoutingRuleSpec]],
    *,
    strict: bool = True,
) -> Rules:
    """The database rules of ``source`` (enabled ones), checked against ``base`` (the
    start-up rules). ``strict``: a name clash is an error, else that rule is skipped."""
    seen = {r.spec.name: _origin(r) for r in base}
    found: Rules = []
    for position, raw in enumerate(_parse(source), start=1):
        try:
            rule = compile_one(raw, position, calendar)
        except ConfigError as exc:
            raise RuleSourceError(str(exc)) from exc
        if _clash(rule.name, seen, strict):
            continue
        seen[rule.name] = "esta versão (repetida)"
        if rule.config.enabled:
            found.append(Registered(DATABASE_SOURCE, dataclasses.replace(rule, source="database")))
    return found


async def latest_version(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.max(RuleVersionRow.version))) or 0)


def version_in_force() -> ScalarSelect[int]:
    """The newest version's number as a column expression (0 when none was saved), for a
    statement that wants it alongside its own result."""
    newest = func.coalesce(func.max(RuleVersionRow.version), 0)
    return select(newest).scalar_subquery()


@dataclasses.dataclass
class _Cache:
    version: int = 0
    base: Rules | None = None
    rules: Rules = dataclasses.field(default_factory=list)


_caches: weakref.WeakKeyDictionary[Any, _Cache] = weakref.WeakKeyDictionary()


def combine(desk: Desk, stored: Rules) -> Rules:
    """Start-up rules and database rules in one evaluation order, minus ``disabled``."""
    disabled = set(desk.settings.routing.get("disabled", ()))
    return ordered([*desk.rules, *(r for r in stored if r.spec.name not in disabled)])


async def _load(desk: Desk, version: int) -> Rules:
    async with desk.database.read() as session:
        row = await session.get(RuleVersionRow, version)
    if row is None:
        return list(desk.rules)
    try:
        stored = compile_source(row.source, desk.calendar, desk.rules, strict=False)
    except RuleSourceError as exc:
        log.error("versão %s das regras do banco não pôde ser usada: %s", version, exc)
        return list(desk.rules)
    return combine(desk, stored)


async def rules_in_force(desk: Desk) -> Rules:
    """Every active rule, in evaluation order: start-up rules plus the newest saved version."""
    async with desk.database.read() as session:
        version = await latest_version(session)
    return (await rules_at(desk, version))[1]


async def rules_at(desk: Desk, version: int) -> tuple[int, Rules]:
    """The rules in force under saved ``version`` (0: none saved), remembered as the newest
    this process has seen."""
    cache = _caches.setdefault(desk, _Cache())
    if cache.version != version or cache.base is not desk.rules:
        stored = await _load(desk, version) if version else []
        cache.rules, cache.version, cache.base = stored, version, desk.rules
    # with no saved version the start-up rules are taken as they are now
    return version, cache.rules if version else list(desk.rules)


async def known_rules(desk: Desk) -> tuple[int, Rules]:
    """The newest version this process has seen and its rules, asking the database only the
    first time: the caller checks the version in its own transaction (see the module's
    description)."""
    cache = _caches.get(desk)
    if cache is None or cache.base is not desk.rules:
        async with desk.database.read() as session:
            return await rules_at(desk, await latest_version(session))
    return await rules_at(desk, cache.version)


async def versions(session: AsyncSession) -> list[RuleVersionRow]:
    query = select(RuleVersionRow).order_by(RuleVersionRow.version.desc())
    return list(await session.scalars(query))


async def save_version(
    session: AsyncSession,
    now: dt.datetime,
    actor: Actor,
    source: str,
    *,
    note: str = "",
    restored_from: int | None = None,
) -> int:
    """Store ``source`` (already checked) as the next version and audit it."""
    number = await latest_version(session) + 1
    session.add(
        RuleVersionRow(
            version=number,
            source=source,
            note=note[:200],
            restored_from=restored_from,
            created_by=actor.label,
            created_at=now,
        )
    )
    action = "routing_rules_restored" if restored_from else "routing_rules_saved"
    audit.record(session, now, actor, action, version=number, restored_from=restored_from)
    return number
