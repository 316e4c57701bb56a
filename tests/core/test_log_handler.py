"""The log handler writes a turn of the event loop's lines together, loses none and keeps
their order; warnings, errors and lines from outside the loop are written at once."""

from __future__ import annotations

import asyncio
import io
import logging

from balcao._logging import BatchedStderr, TextFormatter


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
