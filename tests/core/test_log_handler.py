"""The log handler writes a turn of the event loop's lines together, loses none and keeps
their order; warnings, errors and lines from outside the loop are written at once."""

from __future__ import annotations

import asyncio
import io
import logging
import time

import pytest

from balcao._logging import BatchedStderr, JsonFormatter, TextFormatter, log_access, request_id


class _Counted(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def _logger(stream: _Counted) -> logging.Logger:
    handler = BatchedStderr()
    handler.setStream(stream)
    handler.setFormatter(TextFormatter())
    logger = logging.getLogger(f"balcao.test.batched.{id(stream)}")
    logger.handlers, logger.propagate, logger.level = [handler], False, logging.INFO
    return logger


async def test_one_turn_of_the_loop_is_one_write_in_order() -> None:
    stream = _Counted()
    log = _logger(stream)
    for n in range(5):
        log.info("GET /pagina/%d 200", n)
    assert stream.getvalue() == ""  # still this turn of the loop
    await asyncio.sleep(0)
    lines = stream.getvalue().splitlines()
    assert [line.split(": ")[1] for line in lines] == [f"GET /pagina/{n} 200" for n in range(5)]
    assert stream.writes == 1


async def test_a_warning_is_written_at_once_after_the_lines_waiting() -> None:
    stream = _Counted()
    log = _logger(stream)
    log.info("antes")
    log.warning("banco de dados lento")
    assert [line.split(": ")[1] for line in stream.getvalue().splitlines()] == [
        "antes",
        "banco de dados lento",
    ]


def test_outside_an_event_loop_every_line_is_written_at_once() -> None:
    stream = _Counted()
    _logger(stream).info("balcao users create")
    assert stream.getvalue().endswith("balcao users create\n")


@pytest.mark.parametrize("formatter", [TextFormatter, JsonFormatter])
def test_an_access_line_reads_the_same_whether_or_not_a_record_is_made(
    formatter: type[logging.Formatter], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With our handler alone the access log formats its lines directly; with another
    handler listening (as a log capture does) it makes records. Either way the line is the
    same, request id and protocol included."""
    stream = _Counted()
    handler = BatchedStderr()
    handler.setStream(stream)
    handler.setFormatter(formatter())
    access = logging.getLogger(f"balcao.test.access.{formatter.__name__}")
    access.handlers, access.propagate, access.level = [handler], False, logging.INFO
    monkeypatch.setattr(time, "time", lambda: 1_765_000_000.25)
    monkeypatch.setattr(time, "time_ns", lambda: 1_765_000_000_250_000_000)
    captured: list[logging.LogRecord] = []
    token = request_id.set("4f1c2a9e0b7d3e21")
    try:
        log_access(access, "GET /staff/2026000123 200 3.1 ms", "2026000123")
        direct = stream.getvalue()
        access.addHandler(_Capture(captured))
        log_access(access, "GET /staff/2026000123 200 3.1 ms", "2026000123")
    finally:
        request_id.reset(token)
    assert [r.getMessage() for r in captured] == ["GET /staff/2026000123 200 3.1 ms"]
    assert stream.getvalue() == direct * 2
    assert "4f1c2a9e0b7d3e21" in direct and "2026000123" in direct
    assert "2025-12-06" in direct  # the time given, in the format's own form


class _Capture(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__()
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record)
