"""The annual report as a self-contained accessible HTML document, and as PDF when the
optional ``balcao[pdf]`` extra (WeasyPrint) is installed."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import jinja2

from balcao._annual.figures import AnnualFigures
from balcao._desk import Desk
from balcao._transparency.views import charts, month_label
from balcao._web.formatting import datetime_text

__all__ = ["PdfUnavailable", "report_context", "report_html", "report_pdf"]

_ROOT = Path(__file__).parent.parent
_DIMENSION_TITLES = {"tipo": "Por tipo (motivo)", "canal": "Por canal", "unidade": "Por unidade"}
_PRINT_CSS = """
@page { size: A4; margin: 2cm; }
.grafico { break-inside: avoid; } details > summary { display: none; }
details { display: block; } .topo, nav { display: none; }
"""


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries are missing; the message says what to install."""


def report_context(desk: Desk, figures: AnnualFigures) -> dict[str, Any]:
    return {
        "f": figures,
        "ouvidoria_name": desk.settings.ouvidoria_name,
        "dimensions": [(_DIMENSION_TITLES[k], v) for k, v in figures.by_dimension.items()],
        "charts": charts(figures.published),
        "months": [(month_label(m.month), m) for m in figures.published.months],
        "generated": datetime_text(desk.calendar, desk.now()),
        "notes_when": (
            datetime_text(desk.calendar, figures.notes.updated_at)
            if figures.notes.updated_at
            else ""
        ),
    }


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(_ROOT / "templates"), autoescape=True)


def report_html(desk: Desk, figures: AnnualFigures) -> str:
    """A whole HTML document with its styles inside (it is read away from the balcão)."""
    css = (_ROOT / "static" / "balcao.css").read_text() + _PRINT_CSS
    template = _environment().get_template("balcao/annual_document.html")
    return template.render(**report_context(desk, figures), css=css)


def report_pdf(html: str) -> bytes:
    try:
        weasyprint = importlib.import_module("weasyprint")  # the optional extra
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(
            "o PDF precisa do extra opcional balcao[pdf] (WeasyPrint) e das bibliotecas Pango "
            f"do sistema (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0): {exc}"
        ) from exc
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf
