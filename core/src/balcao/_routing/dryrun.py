"""Dry runs: what the rules would decide for an example, and why, writing nothing."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import UnitRow, UserRow
from balcao._desk import Desk
from balcao._domain.kinds import Kind
from balcao._routing.engine import Outcome, route
from balcao._routing.members import next_member
from balcao._services.manifestations import draft
from balcao._specs import Registered, RoutingRuleSpec
from balcao._types import Manifestation, NewManifestation

__all__ = [
    "CaseError",
    "CaseResult",
    "Example",
    "Explanation",
    "explain",
    "read_cases",
    "run_cases",
]

_YES = {"sim", "s", "true", "1", "yes", "anonima", "anônima"}


@dataclass(frozen=True)
class Example:
    """A manifestation to try the rules on."""

    kind: Kind
    channel: str
    text: str
    subject: str = ""
    anonymous: bool = False
    at: dt.datetime | None = None


@dataclass
class Explanation:
    decision: str
    rule: str
    details: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def headline(self) -> str:
        return f"{self.decision} by {self.rule}"


@dataclass(frozen=True)
class CaseResult:
    line: int
    expected: str
    got: str
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        compared = self.got if " by " in self.expected else self.got.split(" by ")[0]
        return " ".join(self.expected.split()).casefold() == compared.casefold()


class CaseError(ValueError):
    """A table of cases that cannot be read; the message names the line and the column."""


def _draft(example: Example, now: dt.datetime) -> Manifestation:
    new = NewManifestation(
        kind=example.kind,
        channel=example.channel,
        description=example.text,
        subject=example.subject,
        anonymous=example.anonymous,
    )
    return draft(new, example.at or now)


def parse_time(raw: str, desk: Desk) -> dt.datetime:
    """An ISO 8601 date and time; without an offset it is the balcão's local time."""
    at = dt.datetime.fromisoformat(raw.strip())
    return at if at.tzinfo else at.replace(tzinfo=desk.calendar.timezone)


def _readable(desk: Desk) -> bool:
    # Opening a SQLite file that does not exist would create it: a dry run writes nothing.
    url = desk.database.url
    if not desk.database.is_sqlite:
        return True
    path = url.split(":///", 1)[1].split("?", 1)[0] if ":///" in url else ""
    return bool(path) and path != ":memory:" and Path(path).exists()


async def _active_user(session: AsyncSession, email: str) -> bool:
    query = select(UserRow.id).where(UserRow.email == email, UserRow.active.is_(True))
    return (await session.scalars(query)).first() is not None


async def _lookups(desk: Desk, outcome: Outcome) -> tuple[str | None, list[str]]:
    """The person who would be assigned, and warnings about units and people."""
    async with desk.database.read() as session:
        units = set(await session.scalars(select(UnitRow.code)))
        warnings = _unknown_units(outcome, units)
        if outcome.assign_to:
            if not await _active_user(session, outcome.assign_to):
                warnings.append(
                    f"aviso: não há usuário ativo '{outcome.assign_to}'; a manifestação "
                    "ficaria sem responsável"
                )
            return outcome.assign_to, warnings
        if outcome.round_robin:
            member: UserRow | None = await next_member(session, outcome.round_robin)
            return (member.email if member else None), warnings
    return None, warnings


def _details(outcome: Outcome, assignee: str | None) -> list[str]:
    lines = []
    if outcome.forward_to and assignee:
        lines.append(f"assign {assignee} by {outcome.decided_by}")
    if outcome.round_robin and not assignee:
        lines.append(f"rodízio em {outcome.round_robin}: nenhum membro disponível")
    lines += [f"motivo ({rule}): {reason}" for rule, reason in outcome.steps]
    if outcome.priority:
        lines.append(f"prioridade: {outcome.priority}")
    if outcome.tags:
        lines.append(f"etiquetas: {', '.join(outcome.tags)}")
    if outcome.confidential:
        lines.append("sigilosa: sim")
    return lines


def _unknown_units(outcome: Outcome, units: set[str]) -> list[str]:
    named = [u for u in (outcome.forward_to, outcome.round_robin) if u]
    return [
        f"aviso: a unidade '{u}' não está no diretório de unidades (cadastre-a em "
        "/api/v1/units ou corrija a regra)"
        for u in named
        if u not in units
    ]


async def _rules_now(desk: Desk) -> tuple[Sequence[Registered[RoutingRuleSpec]], list[str]]:
    """The rules in force; without a usable database, those of the configuration alone."""
    if not _readable(desk):
        return desk.rules, []
    try:
        return await desk.current_rules(), []
    except SQLAlchemyError as exc:
        note = f"aviso: regras do banco de dados não consultadas ({type(exc).__name__})"
        return desk.rules, [note]


async def explain(
    desk: Desk, example: Example, rules: Sequence[Registered[RoutingRuleSpec]] | None = None
) -> Explanation:
    """What ``rules`` (default: the rules in force) decide for ``example``; reads the units
    directory, writes nothing."""
    warnings: list[str] = []
    if rules is None:
        rules, warnings = await _rules_now(desk)
    outcome = await route(rules, _draft(example, desk.now()))
    assignee = outcome.assign_to
    if not _readable(desk):
        warnings.append(
            "aviso: banco de dados não encontrado; diretório de unidades não consultado"
        )
    else:
        try:
            assignee, found = await _lookups(desk, outcome)
            warnings += found
        except SQLAlchemyError as exc:
            warnings.append(f"aviso: diretório de unidades indisponível ({type(exc).__name__})")
    if outcome.forward_to:
        decision, rule = f"forward {outcome.forward_to}", outcome.decided_by
    elif assignee:
        decision, rule = f"assign {assignee}", outcome.decided_by
    else:
        decision, rule = "triage", outcome.rule
    return Explanation(decision, rule, _details(outcome, assignee), warnings)


def _example(row: Mapping[str, str | None], line: int, desk: Desk) -> Example:
    def column(name: str) -> str:
        return (row.get(name) or "").strip()

    try:
        kind = Kind(column("kind"))
    except ValueError as exc:
        valid = ", ".join(k.value for k in Kind)
        raise CaseError(
            f"linha {line}: tipo '{column('kind')}' desconhecido (use {valid})"
        ) from exc
    try:
        at = parse_time(column("at"), desk) if column("at") else None
    except ValueError as exc:
        raise CaseError(f"linha {line}: data e hora '{column('at')}' inválida") from exc
    return Example(
        kind=kind,
        channel=column("channel"),
        text=column("text"),
        subject=column("subject"),
        anonymous=column("anonymous").casefold() in _YES,
        at=at,
    )


def read_cases(path: Path, desk: Desk) -> list[tuple[int, Example, str]]:
    """The rows of a CSV table (kind, channel, text, expected; optional subject, anonymous,
    at); CaseError names the line and the column that cannot be used."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"kind", "channel", "text", "expected"} - set(reader.fieldnames or ())
        if missing:
            raise CaseError(f"{path.name}: faltam as colunas {', '.join(sorted(missing))}")
        rows = list(reader)
    cases = []
    for line, row in enumerate(rows, start=2):
        expected = (row.get("expected") or "").strip()
        if not expected:
            raise CaseError(f"linha {line}: coluna 'expected' vazia")
        cases.append((line, _example(row, line, desk), expected))
    return cases


async def run_cases(desk: Desk, cases: Iterable[tuple[int, Example, str]]) -> list[CaseResult]:
    """Each case with what the rules decided."""
    results = []
    for line, example, expected in cases:
        found = await explain(desk, example)
        results.append(CaseResult(line, expected, found.headline, tuple(found.warnings)))
    return results
