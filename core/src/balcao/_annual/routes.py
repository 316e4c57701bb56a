"""Staff pages of the annual report: read by ouvidor, atendente and auditor; the ouvidor
writes the sections on problems found and measures taken."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from balcao._access import Access
from balcao._annual.figures import AnnualFigures, Notes, annual_figures, save_notes
from balcao._annual.render import PdfUnavailable, report_context, report_html, report_pdf
from balcao._desk import Desk
from balcao._services import audit
from balcao._staff._common import page, text_of
from balcao._web.auth import current_actor

__all__ = ["ANNUAL_ROUTES"]

_MAX_NOTES = 20_000


async def _figures(desk: Desk, year: int | None) -> AnnualFigures:
    return await annual_figures(desk, year or desk.today().year)


@get("/staff/relatorio-anual", opt={"access": Access.ANNUAL_REPORT}, include_in_schema=False)
async def annual_page(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    ano: FromQuery[int | None] = None,
    ok: FromQuery[str | None] = None,
) -> Template:
    figures = await _figures(desk, ano)
    years = range(desk.today().year, desk.today().year - 6, -1)
    can_edit = current_actor(request).role == "ouvidor"
    context = report_context(desk, figures)
    return page(request, "annual.html", years=years, can_edit=can_edit, ok=ok, **context)


@post("/staff/relatorio-anual", opt={"access": Access.ANNUAL_REPORT_EDIT}, include_in_schema=False)
async def annual_notes(
    desk: NamedDependency[Desk], request: Request[Any, Any, Any], ano: FromQuery[int]
) -> Redirect:
    form = dict(await request.form())
    notes = Notes(
        problems=text_of(form, "problems")[:_MAX_NOTES],
        measures=text_of(form, "measures")[:_MAX_NOTES],
    )
    actor = current_actor(request)
    await save_notes(desk, ano, notes, actor.name)
    async with desk.database.write() as session:
        audit.record(session, desk.now(), actor, "annual_report_notes", None, year=ano)
    return Redirect(f"/staff/relatorio-anual?ano={ano}&ok=1", status_code=303)


@get("/staff/relatorio-anual.html", opt={"access": Access.ANNUAL_REPORT}, include_in_schema=False)
async def annual_html(
    desk: NamedDependency[Desk], ano: FromQuery[int | None] = None
) -> Response[str]:
    figures = await _figures(desk, ano)
    return Response(
        report_html(desk, figures),
        media_type="text/html; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="relatorio-anual-{figures.year}.html"'
        },
    )


@get("/staff/relatorio-anual.pdf", opt={"access": Access.ANNUAL_REPORT}, include_in_schema=False)
async def annual_pdf(
    desk: NamedDependency[Desk], ano: FromQuery[int | None] = None
) -> Response[Any]:
    figures = await _figures(desk, ano)
    try:
        pdf = report_pdf(report_html(desk, figures))
    except PdfUnavailable as exc:
        return Response({"status_code": 503, "detail": str(exc)}, status_code=503)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "content-disposition": f'attachment; filename="relatorio-anual-{figures.year}.pdf"'
        },
    )


ANNUAL_ROUTES = [annual_page, annual_notes, annual_html, annual_pdf]
