"""The year's figures: the transparency page's monthly tables, summed into the year."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.public_service import AnnualReportNotes
from balcao._desk import Desk
from balcao._domain.kinds import Kind
from balcao._transparency.facts import CaseFact
from balcao._transparency.figures import months_of_year, published_with_facts
from balcao._transparency.stats import MIN_CELL, Satisfaction, Timeliness, satisfaction, timeliness
from balcao._transparency.tables import DIMENSIONS, OTHERS, Published

__all__ = ["AnnualFigures", "Notes", "annual_figures", "load_notes", "save_notes"]


class Notes(msgspec.Struct, frozen=True, kw_only=True):
    """What the ouvidor writes: problems found and measures taken (art. 15)."""

    problems: str = ""
    measures: str = ""
    updated_by: str = ""
    updated_at: dt.datetime | None = None


class AnnualFigures(msgspec.Struct, frozen=True, kw_only=True):
    year: int
    total: int
    whistleblowing: int
    by_dimension: dict[str, list[tuple[str, int]]]
    timeliness: Timeliness
    satisfaction: Satisfaction
    published: Published
    notes: Notes


def _year_cells(data: Published, facts: list[CaseFact]) -> dict[str, list[tuple[str, int]]]:
    """Each category summed over the months it was published in; whatever a month hid
    (its small categories, a month under the minimum) goes to "Outros" for the year."""
    public = sum(1 for f in facts if not Kind(f.kind).whistleblowing)
    result = {}
    for dimension in DIMENSIONS:
        sums: Counter[str] = Counter()
        for cell in data.cells:
            if cell.dimension == dimension and cell.category != OTHERS:
                sums[cell.label] += cell.count
        rows = sums.most_common()
        others = public - sum(sums.values())
        while 0 < others < MIN_CELL and rows:
            others += rows.pop()[1]
        result[dimension] = rows + ([("Outros", others)] if others else [])
    return result


async def annual_figures(desk: Desk, year: int) -> AnnualFigures:
    """The report's figures, computed by the same code as the transparency page."""
    data, facts = await published_with_facts(desk, *months_of_year(year))
    return AnnualFigures(
        year=year,
        total=len(facts),
        # the year's total less its categories: printing it reveals nothing more
        whistleblowing=sum(1 for f in facts if Kind(f.kind).whistleblowing),
        by_dimension=_year_cells(data, facts),
        timeliness=timeliness(facts, desk.today()),
        satisfaction=satisfaction(facts),
        published=data,
        notes=await load_notes(desk, year),
    )


async def load_notes(desk: Desk, year: int) -> Notes:
    async with desk.database.read() as session:
        row = await session.get(AnnualReportNotes, year)
    if row is None:
        return Notes()
    return Notes(
        problems=row.problems,
        measures=row.measures,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
    )


async def save_notes(desk: Desk, year: int, notes: Notes, actor: str) -> None:
    async with desk.database.write() as session:
        row = await _row(session, year, desk.now())
        row.problems, row.measures = notes.problems.strip(), notes.measures.strip()
        row.updated_by, row.updated_at = actor, desk.now()


async def _row(session: AsyncSession, year: int, now: dt.datetime) -> AnnualReportNotes:
    row = await session.get(AnnualReportNotes, year)
    if row is None:
        row = AnnualReportNotes(year=year, updated_at=now)
        session.add(row)
    return row
