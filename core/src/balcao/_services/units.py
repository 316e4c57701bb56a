"""The units directory's rules, for the API, the staff page and the CSV import alike: a
code, a name, a valid e-mail, and a tree of units without loops."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from balcao._db.models import UnitRow
from balcao._domain.text import visible

__all__ = ["UnitInput", "field_problem", "tree_problems", "unit_input"]

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
UnitInput = tuple[str, str, str | None, str | None]  # code, name, e-mail, parent's code


def unit_input(code: str, name: str, email: str | None, parent: str | None) -> UnitInput:
    """Trimmed, with a visible name; empty e-mail and parent become None."""
    return (code.strip(), visible(name).strip(), (email or "").strip() or None, parent or None)


def field_problem(unit: UnitInput, where: str) -> str | None:
    code, name, email, _ = unit
    if not _CODE.match(code):
        return f"{where}: código '{code}' inválido (letras, números, ponto, hífen; até 32)"
    if not name:
        return f"{where}: falta o nome da unidade {code}"
    if len(name) > 200:
        return f"{where}: o nome da unidade {code} passa de 200 caracteres"
    if email and (not _EMAIL.match(email) or len(email) > 200):
        return f"{where}: e-mail inválido '{email}'"
    return None


async def tree_problems(session: AsyncSession, units: list[UnitInput]) -> list[str]:
    """What would be wrong with the directory once ``units`` are saved: a unit that is its
    own superior, a superior that does not exist, a loop of superiors."""
    rows = await session.execute(select(UnitRow.code, UnitRow.parent_code))
    parents: dict[str, str | None] = {code: parent for code, parent in rows.all()}
    parents.update({code: parent for code, _, _, parent in units})
    problems = []
    for code, _, _, parent in units:
        if parent is None:
            continue
        if parent == code:
            problems.append(f"unidade {code}: uma unidade não pode ser superior de si mesma")
        elif parent not in parents:
            problems.append(f"unidade {code}: a unidade superior '{parent}' não existe")
        elif loop := _loop(code, parents):
            problems.append(f"unidade {code}: as superiores formariam um ciclo ({loop})")
    return problems


def _loop(code: str, parents: dict[str, str | None]) -> str:
    path = [code]
    current = parents.get(code)
    while current is not None:
        if current in path:
            return " → ".join([*path[path.index(current) :], current])
        path.append(current)
        current = parents.get(current)
    return ""
