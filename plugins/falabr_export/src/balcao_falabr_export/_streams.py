"""One export (CSV or JSON) as a stream of bytes, reading the database as it goes."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable

from balcao import ReadModel
from balcao_falabr_export._config import FalabrConfig, Format
from balcao_falabr_export._query import Period, ReportRow, stream
from balcao_falabr_export._report import csv_chunks, json_chunks

__all__ = ["Format", "export_stream", "file_name"]


def file_name(period: Period, fmt: Format) -> str:
    return f"falabr-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{fmt}"


async def export_stream(
    model: ReadModel,
    period: Period,
    fmt: Format,
    config: FalabrConfig,
    today: dt.date,
    encoding: str = "utf-8",
    on_row: Callable[[], None] | None = None,
) -> AsyncIterator[bytes]:
    """The export's bytes; ``on_row`` is called once per manifestation (progress bars)."""
    rows = stream(model, period, with_text=fmt == "json")
    if on_row is not None:
        rows = _counting(rows, on_row)
    chunks = (
        csv_chunks(rows, config, period.zone, today, encoding)
        if fmt == "csv"
        else json_chunks(rows, config)
    )
    async for chunk in chunks:
        yield chunk


async def _counting(
    rows: AsyncIterator[ReportRow], tick: Callable[[], None]
) -> AsyncIterator[ReportRow]:
    async for row in rows:
        tick()
        yield row
