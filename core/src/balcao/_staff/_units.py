"""The units directory: list, create or update, import from CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromQuery, MultipartBody, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy import func, select

from balcao._access import Access
from balcao._db.models import UnitRow, UserRow
from balcao._desk import Desk
from balcao._services import audit
from balcao._services.units import UnitInput, field_problem, tree_problems, unit_input
from balcao._staff._common import page, text_of
from balcao._web.auth import current_actor

__all__ = ["UNIT_ROUTES", "UnitInput", "parse_units_csv"]


def parse_units_csv(content: bytes) -> tuple[list[UnitInput], list[str]]:
    """Rows ``codigo,nome,email,superior`` (header required; ``;`` also accepted)."""
    text = content.decode("utf-8-sig", errors="replace")
    dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;") if text.strip() else csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = {h.strip().lower() for h in reader.fieldnames or []}
    if not {"codigo", "nome"} <= header:
        return [], ["o arquivo precisa de cabeçalho com as colunas codigo,nome[,email,superior]"]
    units: list[UnitInput] = []
    errors: list[str] = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        code, name = row.get("codigo", ""), row.get("nome", "")
        email, parent = row.get("email") or None, row.get("superior") or None
        unit = unit_input(code.upper(), name, email, parent.upper() if parent else None)
        problem = field_problem(unit, f"linha {line}")
        if problem:
            errors.append(problem)
        else:
            units.append(unit)
    return units, errors


async def _save(desk: Desk, units: list[UnitInput], actor: Any, how: str) -> list[str]:
    """Saves all or nothing: the problems with the tree, if any, and nothing saved."""
    async with desk.database.write() as session:
        problems = await tree_problems(session, units)
        if problems:
            return problems
        for code, name, email, parent in units:
            row = await session.get(UnitRow, code) or UnitRow(code=code)
            row.name, row.email, row.parent_code = name, email, parent
            session.add(row)
        audit.record(
            session, desk.now(), actor, "units_saved", None, how=how, codes=[u[0] for u in units]
        )
    return []


async def _listing(desk: Desk) -> tuple[list[UnitRow], dict[str, int]]:
    async with desk.database.read() as session:
        units = list(await session.scalars(select(UnitRow).order_by(UnitRow.code)))
        query = (
            select(UserRow.unit_code, func.count())
            .where(UserRow.role == "unidade", UserRow.active.is_(True))
            .group_by(UserRow.unit_code)
        )
        members = {code: int(n) for code, n in (await session.execute(query)).all() if code}
    return units, members


async def _page(
    desk: Desk, request: Request[Any, Any, Any], status_code: int = 200, **extra: Any
) -> Template:
    units, members = await _listing(desk)
    return page(request, "units.html", status_code, units=units, members=members, **extra)


@get("/staff/unidades", opt={"access": Access.UNITS_PAGE}, include_in_schema=False)
async def units(
    desk: NamedDependency[Desk], request: Request[Any, Any, Any], ok: FromQuery[str | None] = None
) -> Template:
    return await _page(desk, request, ok=ok)


@post("/staff/unidades", opt={"access": Access.UNITS_EDIT}, include_in_schema=False)
async def save_unit(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    data: URLEncodedBody[dict[str, Any]],
) -> Template | Redirect:
    unit = unit_input(
        text_of(data, "code").upper(),
        text_of(data, "name"),
        text_of(data, "email"),
        text_of(data, "parent").upper(),
    )
    problem = field_problem(unit, "unidade")
    problems = [problem] if problem else await _save(desk, [unit], current_actor(request), "form")
    if problems:
        return await _page(desk, request, 422, errors=problems)
    return Redirect("/staff/unidades?ok=salva", status_code=303)


@post("/staff/unidades/importar", opt={"access": Access.UNITS_EDIT}, include_in_schema=False)
async def import_units(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    data: MultipartBody[dict[str, Any]],
) -> Template | Redirect:
    """All or nothing: a file with any bad line changes nothing and names the lines."""
    upload = data.get("file")
    if not isinstance(upload, UploadFile):
        return await _page(desk, request, 422, errors=["escolha um arquivo CSV"])
    parsed, errors = parse_units_csv(await upload.read())
    if errors or not parsed:
        return await _page(desk, request, 422, errors=errors or ["o arquivo não tem unidades"])
    problems = await _save(desk, parsed, current_actor(request), "csv")
    if problems:
        return await _page(desk, request, 422, errors=problems)
    return Redirect(f"/staff/unidades?ok={len(parsed)}", status_code=303)


UNIT_ROUTES = [units, save_unit, import_units]
