"""``balcao export falabr``: the reporting export on the command line."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from balcao import InvalidParameter, Settings, parse_date
from balcao_falabr_export._config import ENCODINGS, FalabrConfig, Format

if TYPE_CHECKING:
    from balcao_falabr_export._query import Period

__all__ = ["build_command"]


class ExportError(click.ClickException):
    exit_code = 2


def _date(_ctx: click.Context, param: click.Parameter, value: str) -> dt.date:
    try:
        day = parse_date(value, param.name or "data")
    except InvalidParameter as exc:
        raise click.BadParameter(str(exc), param=param) from None
    if day is None:
        raise click.BadParameter("informe uma data AAAA-MM-DD", param=param)
    return day


async def _write(
    settings: Settings,
    config: FalabrConfig,
    period: Period,
    fmt: Format,
    encoding: str,
    target: IO[bytes],
) -> None:
    from sqlalchemy.exc import DBAPIError

    from balcao import ReadModel
    from balcao_falabr_export._query import count
    from balcao_falabr_export._streams import export_stream

    today = settings.calendar().local(dt.datetime.now(dt.UTC)).date()
    try:
        async with ReadModel.connect(settings) as model:
            total = await count(model, period)
            with _progress(total) as bar:
                chunks = export_stream(
                    model, period, fmt, config, today, encoding, on_row=lambda: bar.update(1)
                )
                async for chunk in chunks:
                    target.write(chunk)
    except DBAPIError as exc:
        raise ExportError(
            "não foi possível ler o banco de dados (rode 'balcao db upgrade'?): "
            f"{type(exc.orig).__name__}"
        ) from exc


def _progress(total: int) -> Any:
    hidden = not (sys.stderr.isatty() and total > 0)
    return click.progressbar(length=total, label="exportando", file=sys.stderr, hidden=hidden)


def _to_file(output: Path, run: Any) -> None:
    """Write beside the target and rename at the end: never a half-written file."""
    directory = output.resolve().parent
    if not directory.is_dir():
        raise ExportError(f"pasta inexistente para -o: {directory}")
    descriptor, name = tempfile.mkstemp(dir=directory, prefix=".falabr-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            asyncio.run(run(handle))
        os.replace(name, output)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def build_command(config: FalabrConfig, settings: Settings) -> click.Group:
    """The ``export`` group with its ``falabr`` command."""

    @click.group("export")
    def export() -> None:
        """Exportações de dados."""

    @export.command("falabr")
    @click.option(
        "--from", "start", required=True, callback=_date, help="Data inicial (AAAA-MM-DD)."
    )
    @click.option("--to", "end", required=True, callback=_date, help="Data final (AAAA-MM-DD).")
    @click.option("--format", "fmt", required=True, type=click.Choice(["csv", "json"]))
    @click.option("--encoding", default="utf-8", type=click.Choice(sorted(ENCODINGS)))
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
    def falabr(
        start: dt.date, end: dt.date, fmt: Format, encoding: str, output: Path | None
    ) -> None:
        """Exporta no leiaute de dados abertos da CGU (CSV) ou no formato do Fala.BR (JSON)."""
        from balcao_falabr_export._query import Period

        if end < start:
            raise click.BadParameter("deve ser igual ou posterior a --from", param_hint="--to")
        period = Period(start, end, settings.calendar().timezone)

        async def run(target: IO[bytes]) -> None:
            await _write(settings, config, period, fmt, encoding, target)

        if output is None:
            asyncio.run(run(sys.stdout.buffer))
        else:
            _to_file(output, run)

    return export
