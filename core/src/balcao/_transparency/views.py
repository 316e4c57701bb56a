"""The published figures as rows with stable column names (CSV and JSON), and as charts
(bars, a text summary and the data table of each)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from balcao._domain.dates_pt import month_pt
from balcao._transparency.tables import Cell, MonthFigures, Published

__all__ = [
    "CELL_COLUMNS",
    "MONTH_COLUMNS",
    "NOW_COLUMNS",
    "as_json",
    "cell_rows",
    "charts",
    "month_label",
    "month_rows",
]

MONTH_COLUMNS = (
    "mes",
    "manifestacoes",
    "respondidas",
    "respondidas_no_prazo_pct",
    "dias_resposta_mediana",
    "dias_resposta_p90",
    "pesquisa_respostas",
    "atendida_sim_pct",
    "atendida_parcialmente_pct",
    "atendida_nao_pct",
    "satisfacao_media",
)
CELL_COLUMNS = ("mes", "dimensao", "categoria", "rotulo", "manifestacoes")
NOW_COLUMNS = ("abertas_agora", "em_atraso_agora")
_DIMENSION_TITLES = {"tipo": "Por tipo", "canal": "Por canal", "unidade": "Por unidade"}


def month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{month_pt(int(number), short=True)}/{year}"


def _month_values(m: MonthFigures) -> tuple[object, ...]:
    t, s = m.timeliness, m.satisfaction
    return (
        m.month,
        m.total,
        t.answered,
        t.on_time_pct,
        t.median_days,
        t.p90_days,
        s.answers,
        s.yes_pct,
        s.partly_pct,
        s.no_pct,
        s.mean_rating,
    )


def month_rows(data: Published) -> list[tuple[object, ...]]:
    return [_month_values(m) for m in data.months]


def cell_rows(data: Published) -> list[tuple[object, ...]]:
    return [(c.month, c.dimension, c.category, c.label, c.count) for c in data.cells]


def as_json(data: Published, generated: str) -> dict[str, Any]:
    """The same figures as the CSV files, with the same column names."""
    return {
        "gerado_em": generated,
        "minimo_por_celula": 5,
        "meses": [dict(zip(MONTH_COLUMNS, row, strict=True)) for row in month_rows(data)],
        "categorias": [dict(zip(CELL_COLUMNS, row, strict=True)) for row in cell_rows(data)],
        "agora": dict(zip(NOW_COLUMNS, (data.now.open, data.now.overdue), strict=True)),
    }


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "não mostrado (menos de 5)"
    if isinstance(value, float):
        text = f"{value:.1f}".replace(".", ",")
    else:
        text = f"{value:,}".replace(",", ".")
    return f"{text.removesuffix(',0')}{unit}"


def _bars(items: Sequence[tuple[str, float | None]], unit: str) -> list[dict[str, Any]]:
    top = max((v for _, v in items if v is not None), default=0) or 1
    return [
        {
            "label": label,
            "value": value,
            "text": _number(value, unit),
            "width": round(100 * (value or 0) / top, 1),
        }
        for label, value in items
    ]


def _summary(title: str, items: Sequence[tuple[str, float | None]], unit: str) -> str:
    shown = [(label, v) for label, v in items if v is not None]
    if not shown:
        return f"{title}: nenhum valor com 5 ou mais manifestações no período."
    high = max(shown, key=lambda item: item[1])
    low = min(shown, key=lambda item: item[1])
    hidden = len(items) - len(shown)
    most, least = _number(high[1], unit), _number(low[1], unit)
    text = f"{title}: maior valor {most} ({high[0]}); menor {least} ({low[0]})."
    return text + (
        f" {hidden} valor(es) com menos de 5 manifestações não são mostrados." if hidden else ""
    )


def _chart(
    key: str, title: str, items: Sequence[tuple[str, float | None]], unit: str = ""
) -> dict[str, Any]:
    return {
        "id": key,
        "title": title,
        "summary": _summary(title, items, unit),
        "bars": _bars(items, unit),
    }


def _monthly(data: Published) -> list[dict[str, Any]]:
    months = [(month_label(m.month), m) for m in data.months]
    return [
        _chart("mensal", "Manifestações por mês", [(label, m.total) for label, m in months]),
        _chart(
            "prazo",
            "Respondidas no prazo legal",
            [(label, m.timeliness.on_time_pct) for label, m in months],
            "%",
        ),
        _chart(
            "dias",
            "Dias até a resposta (mediana)",
            [(label, m.timeliness.median_days) for label, m in months],
            " dias",
        ),
        _chart(
            "satisfacao",
            "Satisfação média (1 a 5)",
            [(label, m.satisfaction.mean_rating) for label, m in months],
        ),
    ]


def _by_dimension(cells: Sequence[Cell]) -> list[dict[str, Any]]:
    """Each category summed over the months in which it was published (nothing hidden
    comes back by adding published cells)."""
    result = []
    for dimension, title in _DIMENSION_TITLES.items():
        totals: Counter[str] = Counter()
        for cell in cells:
            if cell.dimension == dimension:
                totals[cell.label] += cell.count
        items: list[tuple[str, float | None]] = list(totals.most_common())
        result.append(_chart(dimension, f"{title} (exceto denúncias)", items))
    return result


def charts(data: Published) -> list[dict[str, Any]]:
    return _monthly(data) + _by_dimension(data.cells)
