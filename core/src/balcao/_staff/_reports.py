"""The reports page: the year's figures with server-rendered SVG charts, and the same
numbers as CSV."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from balcao._access import Access
from balcao._desk import Desk
from balcao._staff._common import page
from balcao._staff._csv import csv_response
from balcao._staff._figures import Figures, yearly_figures
from balcao._staff._satisfaction import survey_rates
from balcao._web.labels import Labels
from balcao._web.params import parse_year

__all__ = ["REPORT_ROUTES", "chart"]


def chart(label: Callable[[str], str], values: dict[str, int]) -> list[dict[str, Any]]:
    """Bars for a chart: label, value and width in percent of the largest."""
    top = max(values.values(), default=0) or 1
    return [
        {"label": label(k), "value": v, "width": round(100 * v / top, 1)} for k, v in values.items()
    ]


def _as_is(key: str) -> str:
    return key


async def _figures(desk: Desk, year: str | None) -> Figures:
    chosen = parse_year(year) or desk.today().year
    async with desk.database.read() as session:
        return await yearly_figures(session, desk.calendar, chosen, desk.today())


@get("/staff/relatorios", opt={"access": Access.REPORTS}, include_in_schema=False)
async def reports(
    desk: NamedDependency[Desk], request: Request[Any, Any, Any], ano: FromQuery[str | None] = None
) -> Template:
    figures = await _figures(desk, ano)
    labels = Labels.of(desk.channels)
    charts = [
        ("Por tipo", chart(labels.kind, figures.by_kind)),
        ("Por canal", chart(labels.channel, figures.by_channel)),
        ("Por unidade", chart(_as_is, figures.by_unit)),
        ("Por situação", chart(labels.state, figures.by_state)),
        ("Por mês", chart(_as_is, figures.by_month)),
    ]
    years = range(desk.today().year, desk.today().year - 6, -1)
    survey = await survey_rates(desk, figures.year)
    return page(request, "reports.html", f=figures, charts=charts, years=years, survey=survey)


def _rows(figures: Figures) -> list[tuple[str, str, object]]:
    rows: list[tuple[str, str, object]] = [("total", "manifestações", figures.total)]
    for group, values in (
        ("tipo", figures.by_kind),
        ("canal", figures.by_channel),
        ("unidade", figures.by_unit),
        ("situacao", figures.by_state),
        ("mes", figures.by_month),
    ):
        rows += [(group, key, n) for key, n in values.items()]
    rows += [
        ("resposta", "respondidas", figures.answered),
        (
            "resposta",
            "media_dias",
            figures.average_days if figures.average_days is not None else "",
        ),
        (
            "resposta",
            "mediana_dias",
            figures.median_days if figures.median_days is not None else "",
        ),
        ("prazo", "em_atraso_hoje", figures.overdue),
    ]
    return rows


@get("/staff/relatorios.csv", opt={"access": Access.REPORTS}, include_in_schema=False)
async def reports_csv(
    desk: NamedDependency[Desk], ano: FromQuery[str | None] = None
) -> Response[bytes]:
    figures = await _figures(desk, ano)
    return csv_response(f"relatorio-{figures.year}.csv", ("grupo", "item", "valor"), _rows(figures))


REPORT_ROUTES = [reports, reports_csv]
