"""A dry run of a rule set against the latest manifestations, before it is saved: for each,
what the rules in force decide and what the new rules would decide. Nothing is written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from balcao._db.models import ManifestationRow
from balcao._desk import Desk
from balcao._domain.kinds import Kind
from balcao._routing.dryrun import Example, explain
from balcao._specs import Registered, RoutingRuleSpec

__all__ = ["LATEST", "Replay", "in_words", "replay"]

LATEST = 100


@dataclass(frozen=True)
class Replay:
    """How many manifestations were tried and those whose decision would change."""

    tried: int
    changed: list[tuple[str, str, str]]  # protocol, decision now, decision with the new rules


def in_words(headline: str) -> str:
    """A dry run's decision (``forward CRU by ru``) as staff read it, in pt-BR."""
    decision, _, rule = headline.partition(" by ")
    verb, _, target = decision.partition(" ")
    said = {"forward": f"encaminhar a {target}", "assign": f"atribuir a {target}"}
    text = said.get(verb, "ficar na triagem")
    return f"{text} (nenhuma regra)" if rule == "fallback" else f"{text} (regra {rule})"


def _example(row: ManifestationRow) -> Example:
    return Example(
        kind=Kind(row.kind),
        channel=row.channel,
        text=row.description,
        subject=row.subject,
        anonymous=row.anonymous,
        at=row.created_at,
    )


async def replay(
    desk: Desk, candidate: Sequence[Registered[RoutingRuleSpec]], latest: int = LATEST
) -> Replay:
    """The ``latest`` manifestations under the rules in force and under ``candidate``."""
    query = select(ManifestationRow).order_by(ManifestationRow.id.desc()).limit(latest)
    async with desk.database.read() as session:
        rows = list(await session.scalars(query))
    current = await desk.current_rules()
    changed = []
    for row in rows:
        example = _example(row)
        before = (await explain(desk, example, current)).headline
        after = (await explain(desk, example, candidate)).headline
        if before != after:
            changed.append((row.protocol, in_words(before), in_words(after)))
    return Replay(tried=len(rows), changed=changed)
