"""The inbox: filters, accent-insensitive search, counts per state, pagination."""

from __future__ import annotations

import urllib.parse
from collections import Counter
from typing import Annotated, Any

import msgspec
from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template
from sqlalchemy import select

from balcao._access import Access, redact, scoped
from balcao._db.models import UnitRow, UserRow
from balcao._desk import Desk
from balcao._domain.lifecycle import State
from balcao._services.queries import (
    COUNT_CAP,
    Filters,
    Page,
    list_manifestations,
    matches,
    nearest_due,
    page_of,
    search_plan,
    state_counts,
)
from balcao._staff._common import page
from balcao._staff._saved_filters import tabs
from balcao._web.auth import current_actor
from balcao._web.params import parse_int, parse_page

__all__ = ["INBOX_ROUTES"]

_PER_PAGE = 25


_MAX_ID = 2**31 - 1


def _assignee(raw: str | None, me: int | None) -> int | None:
    """``eu``, ``ninguem`` (no one: see ``unassigned``) or a staff member's id."""
    if raw in ("eu", "ninguem"):
        return me if raw == "eu" else None
    return parse_int(raw, "responsavel", 1, _MAX_ID)


@get("/staff", opt={"access": Access.LIST}, include_in_schema=False)
async def inbox(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    state_filter: Annotated[str | None, QueryParameter(name="estado")] = None,
    kind: Annotated[str | None, QueryParameter(name="tipo")] = None,
    channel: Annotated[str | None, QueryParameter(name="canal")] = None,
    unit: Annotated[str | None, QueryParameter(name="unidade")] = None,
    assignee: Annotated[str | None, QueryParameter(name="responsavel")] = None,
    overdue: Annotated[str | None, QueryParameter(name="atrasadas")] = None,
    due_in: Annotated[str | None, QueryParameter(name="vence_em")] = None,
    q: FromQuery[str | None] = None,
    page_number: Annotated[str | None, QueryParameter(name="pagina")] = None,
    order: Annotated[str | None, QueryParameter(name="ordem")] = None,
) -> Template:
    """The manifestations the caller may see, newest first or by nearest deadline."""
    actor = current_actor(request)
    filters = scoped(
        actor,
        Filters(
            state=state_filter or None,
            kind=kind or None,
            channel=channel or None,
            unit=unit or None,
            q=(q or "").strip() or None,
            overdue=True if overdue else None,
            assignee=_assignee(assignee, actor.user_id),
            unassigned=assignee == "ninguem",
            due_in_days=parse_int(due_in, "vence_em", 0, 3660),
            page=parse_page(page_number, "pagina"),
            per_page=_PER_PAGE,
            order="deadline" if order == "prazo" else "recent",
        ),
    )
    today = desk.today()
    async with desk.database.read() as session:
        result, counts = await _listing(session, filters, today)
        result = msgspec.structs.replace(result, items=[redact(actor, m) for m in result.items])
        staff = await _staff_names(session)
        units = list(await session.scalars(select(UnitRow.code).order_by(UnitRow.code)))
        due = await nearest_due(session, [m.id for m in result.items])
    over = not filters.q and _over_cap(counts, filters.state)
    query = {k: v for k, v in request.query_params.items() if v and k != "pagina"}
    here = "/staff" + (f"?{urllib.parse.urlencode(query)}" if query else "")
    saved = tabs(query, actor.role)
    # the form's other filters stay open when they, and no saved filter, chose this list
    other_filters = bool(query.keys() - {"q", "ordem"}) and not any(t["current"] for t in saved)
    return page(
        request,
        "inbox.html",
        result=result,
        counts=counts,
        total_all=sum(counts.values()),
        capped=bool(filters.q) and sum(counts.values()) > COUNT_CAP,
        cap=COUNT_CAP,
        filters=filters,
        raw=query,
        query_string=urllib.parse.urlencode(query),
        no_state_qs=urllib.parse.urlencode({k: v for k, v in query.items() if k != "estado"}),
        # past the cap the number of pages is unknown: "Página 3", and "Próxima" while full
        pages=None if over else max((result.total + _PER_PAGE - 1) // _PER_PAGE, 1),
        staff=staff,
        units=units,
        channels=sorted(desk.channels),
        due=due,
        today=today,
        tabs=saved,
        by_deadline=filters.order == "deadline",
        no_order_qs=urllib.parse.urlencode({k: v for k, v in query.items() if k != "ordem"}),
        here=here,
        open_filters=other_filters,
        bulk_states=[s for s in State if s is not State.RECEIVED],
    )


async def _listing(session: Any, filters: Filters, today: Any) -> tuple[Page, dict[str, int]]:
    """The page and the counts per state. A search fetches its first matches once and
    pages them in memory when they are all there; otherwise counts, then the page."""
    plan = await search_plan(session, filters)
    if filters.q:
        found = await matches(session, filters, today, fts=plan.counts)
        counts = dict(Counter(state for _, state, _ in found))
        if len(found) <= COUNT_CAP:
            return await page_of(session, found, filters), counts
    else:
        counts = await state_counts(session, filters, today)
    total = counts.get(filters.state, 0) if filters.state else sum(counts.values())
    page = await list_manifestations(session, filters, today, total=total, fts=plan.page)
    return page, counts


def _over_cap(counts: dict[str, int], state: str | None) -> bool:
    """Whether the listed total is past the cap (the counts stop there: a lower bound)."""
    listed = [counts.get(state, 0)] if state else list(counts.values())
    return any(n > COUNT_CAP for n in listed)


async def _staff_names(session: Any) -> dict[int, str]:
    query = select(UserRow.id, UserRow.name).where(
        UserRow.role.in_(("ouvidor", "atendente")), UserRow.active.is_(True)
    )
    return {user_id: name for user_id, name in (await session.execute(query)).all()}


INBOX_ROUTES = [inbox]
