"""``/transparencia``: the public figures of the last 24 months, no login, as a page with
charts, as CSV and as JSON; computed at most once per cache period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.response import Template

from balcao._desk import Desk
from balcao._staff._csv import csv_response
from balcao._transparency.cache import FigureCache
from balcao._transparency.figures import published, window
from balcao._transparency.stats import MIN_CELL
from balcao._transparency.tables import Published
from balcao._transparency.views import (
    CELL_COLUMNS,
    MONTH_COLUMNS,
    as_json,
    cell_rows,
    charts,
    month_label,
    month_rows,
)
from balcao._web.formatting import datetime_text

__all__ = ["TRANSPARENCY_ROUTES"]

_CACHE_CONTROL = {"cache-control": "public, max-age=300"}


class _Computed:
    def __init__(self, data: Published, generated: dt.datetime) -> None:
        self.data, self.generated = data, generated


async def _figures(desk: Desk, request: Request[Any, Any, Any]) -> _Computed:
    state = request.app.state
    if "transparency_cache" not in state:
        state.transparency_cache = FigureCache[_Computed](desk.settings.transparency_cache_seconds)
    cache: FigureCache[_Computed] = state.transparency_cache
    today = desk.today()

    async def load() -> _Computed:
        data = await published(desk, *window(today))
        return _Computed(data, desk.now())

    return await cache.get(today, load)


@get("/transparencia", tags=["público"], include_in_schema=False)
async def transparency_page(
    desk: NamedDependency[Desk], request: Request[Any, Any, Any]
) -> Template:
    found = await _figures(desk, request)
    data = found.data
    context = {
        "charts": charts(data),
        "months": [(month_label(m.month), m) for m in data.months],
        "now": data.now,
        "generated": datetime_text(desk.calendar, found.generated),
        "minimum": MIN_CELL,
        "first": month_label(data.months[0].month),
        "last": month_label(data.months[-1].month),
    }
    # not cacheable by browsers: the page follows the visitor's contrast and font cookie
    return Template("balcao/transparency.html", context=context)


@get(
    "/transparencia/dados.json",
    summary="Dados de transparência (JSON)",
    description=(
        "Os números de transparência dos últimos 24 meses, sem células pequenas"
        " que poderiam identificar alguém. Público."
    ),
    tags=["público"],
)
async def transparency_json(
    desk: NamedDependency[Desk], request: Request[Any, Any, Any]
) -> Response[dict[str, Any]]:
    """The transparency figures of the last 24 months (small cells left out)."""
    found = await _figures(desk, request)
    generated = found.generated.isoformat(timespec="seconds")
    return Response(as_json(found.data, generated), headers=_CACHE_CONTROL)


async def _csv(
    desk: Desk,
    request: Request[Any, Any, Any],
    filename: str,
    columns: tuple[str, ...],
    rows: Callable[[Published], list[tuple[object, ...]]],
) -> Response[bytes]:
    found = await _figures(desk, request)
    response = csv_response(filename, columns, rows(found.data))
    response.headers.update(_CACHE_CONTROL)
    return response


@get(
    "/transparencia/mensal.csv",
    summary="Números mensais (CSV)",
    description=(
        "Uma linha por mês: totais, prazos cumpridos, dias até a resposta e satisfação. Público."
    ),
    tags=["público"],
)
async def transparency_months_csv(
    desk: NamedDependency[Desk], request: Request[Any, Any, Any]
) -> Response[bytes]:
    """One line per month: totals, deadlines, days to answer, satisfaction."""
    return await _csv(desk, request, "transparencia-mensal.csv", MONTH_COLUMNS, month_rows)


@get(
    "/transparencia/categorias.csv",
    summary="Manifestações por categoria (CSV)",
    description=(
        "Manifestações por mês e por tipo, canal ou unidade; denúncias só nos "
        "totais, e células pequenas omitidas. Público."
    ),
    tags=["público"],
)
async def transparency_cells_csv(
    desk: NamedDependency[Desk], request: Request[Any, Any, Any]
) -> Response[bytes]:
    """Manifestations by month and kind, channel or unit (denúncias only in the totals)."""
    return await _csv(desk, request, "transparencia-categorias.csv", CELL_COLUMNS, cell_rows)


TRANSPARENCY_ROUTES = [
    transparency_page,
    transparency_json,
    transparency_months_csv,
    transparency_cells_csv,
]
