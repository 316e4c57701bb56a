"""``balcao report annual --year 2026``: the annual management report as HTML or PDF."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import click

from balcao._config import ConfigError
from balcao._host import PluginError

if TYPE_CHECKING:
    from balcao._runtime import Runtime

__all__ = ["report"]


async def _html(runtime: Runtime, year: int) -> str:
    # here, not at the top: balcao.cli imports this module
    from balcao._annual.figures import annual_figures
    from balcao._annual.render import report_html
    from balcao.cli import _ensure_schema

    try:
        await _ensure_schema(runtime)
        return report_html(runtime.desk, await annual_figures(runtime.desk, year))
    finally:
        await runtime.close()


@click.group()
def report() -> None:
    """Relatórios."""


@report.command("annual")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="O ano do relatório.")
@click.option(
    "--format", "kind", type=click.Choice(["html", "pdf"]), default="html", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Arquivo de saída (padrão: a saída padrão, só HTML).",
)
def report_annual(year: int, kind: str, output: Path | None) -> None:
    """Relatório anual de gestão (Lei 13.460/2017, art. 14 e 15)."""
    from balcao._annual.render import PdfUnavailable, report_pdf
    from balcao._runtime import build_runtime

    if kind == "pdf" and output is None:
        raise click.UsageError("o PDF precisa de um arquivo: use -o relatorio.pdf")
    try:
        runtime = build_runtime()
    except (ConfigError, PluginError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    html = asyncio.run(_html(runtime, year))
    if kind == "html" and output is None:
        click.echo(html)
        return
    try:
        body = html.encode() if kind == "html" else report_pdf(html)
    except PdfUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    assert output is not None
    output.write_bytes(body)
    click.echo(f"relatório anual {year} gravado em {output}", err=True)
