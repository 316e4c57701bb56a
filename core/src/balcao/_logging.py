"""One log format for the balcão and the web server: human lines, or JSON lines.

Records never carry a citizen's identity or message text: the request id and, where there is
one, the protocol number are what ties a line to a case."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import logging.config
import sys
import time
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, cast

from balcao._config import ConfigError, Settings

if TYPE_CHECKING:
    from litestar.logging.config import LoggingConfig

__all__ = ["FORMATS", "configure_logging", "framework_logging", "log_access", "request_id"]

FORMATS = ("text", "json")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
request_id: ContextVar[str | None] = ContextVar("balcao_request_id", default=None)
_SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "litestar")


def _context(record: logging.LogRecord) -> dict[str, str]:
    rid = getattr(record, "request_id", None)
    return _found(rid or request_id.get(), getattr(record, "protocol", None))


def _found(rid: str | None, protocol: str | None) -> dict[str, str]:
    found: dict[str, str] = {}
    if rid:
        found["request_id"] = rid
    if protocol:
        found["protocol"] = protocol
    return found


_TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class TextFormatter(logging.Formatter):
    """``2026-12-07 03:50:38 INFO balcao.worker: message [request_id=…]``."""

    def __init__(self) -> None:
        super().__init__(_TEXT, "%Y-%m-%d %H:%M:%S")
        self._stamp = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """The time to the second, formatted once per second (the access log writes a line
        per request)."""
        return self._time(record.created)

    def _time(self, created: float) -> str:
        # one tuple, so that a thread never sees one second's text for another
        second, text = self._stamp
        if int(created) != second:
            text = time.strftime(self.datefmt or "", self.converter(created))
            self._stamp = (int(created), text)
        return text

    def format(self, record: logging.LogRecord) -> str:
        return _with_context(super().format(record), _context(record))

    def line(self, created: float, name: str, message: str, context: dict[str, str]) -> str:
        """An INFO line as :meth:`format` writes it, without a record."""
        stamp = self._time(created)
        text = _TEXT % {"asctime": stamp, "levelname": "INFO", "name": name, "message": message}
        return _with_context(text, context)


def _with_context(line: str, context: dict[str, str]) -> str:
    extra = " ".join(f"{k}={v}" for k, v in context.items())
    if not extra:
        return line
    head, sep, tail = line.partition("\n")
    return f"{head} [{extra}]{sep}{tail}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, protocol."""

    def format(self, record: logging.LogRecord) -> str:
        data = _json_fields(record.created, record.levelname, record.name, record.getMessage())
        data.update(_context(record))
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)

    def line(self, created: float, name: str, message: str, context: dict[str, str]) -> str:
        """An INFO line as :meth:`format` writes it, without a record."""
        data = _json_fields(created, "INFO", name, message)
        data.update(context)
        return json.dumps(data, ensure_ascii=False)


def _json_fields(created: float, level: str, name: str, message: str) -> dict[str, Any]:
    when = dt.datetime.fromtimestamp(created, dt.UTC).isoformat()
    return {"time": when, "level": level, "logger": name, "message": message}


class BatchedStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Standard error, written once per turn of the event loop: a burst of requests writes
    its access lines in one system call rather than one each (a tenth of a webhook's cost).
    Warnings, errors and lines logged outside the event loop are written at once, after
    any line still waiting, so the order holds."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self._waiting: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._waiting.append(self.format(record) + self.terminator)
        except Exception:
            self.handleError(record)
            return
        self._schedule(record.levelno)

    def add(self, line: str) -> None:
        """An INFO line already formatted (the access log's: see :func:`log_access`)."""
        with self.lock:  # type: ignore[union-attr]
            self._waiting.append(line + self.terminator)
        self._schedule(logging.INFO)

    def _schedule(self, level: int) -> None:
        loop = _running_loop()
        if loop is None or level >= logging.WARNING:
            self.flush()
        elif len(self._waiting) == 1:
            loop.call_soon(self.flush)

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            if self._waiting:
                lines, self._waiting = "".join(self._waiting), []
                self.stream.write(lines)
            super().flush()


_Formatter = TextFormatter | JsonFormatter


def log_access(logger: logging.Logger, message: str, protocol: str | None) -> None:
    """One access line (the caller knows ``logger`` is enabled for INFO). When the only
    handler that would see it is ours, with one of our formats and no filter on the way, the
    line is formatted straight into the handler's batch: a LogRecord and the walk up the
    loggers cost a webhook about 25 µs, a tenth of its CPU (measured under load). Anything
    else listening (a test's log capture, an app that embeds ours) gets a record."""
    handler = _only_handler(logger)
    if handler is None:
        extra = {"protocol": protocol} if protocol else None
        record = logger.makeRecord(logger.name, logging.INFO, "", 0, message, (), None, extra=extra)
        logger.handle(record)
        return
    formatter = cast(_Formatter, handler.formatter)
    context = _found(request_id.get(), protocol)
    handler.add(formatter.line(time.time(), logger.name, message, context))


def _only_handler(logger: logging.Logger) -> BatchedStderr | None:
    found: list[logging.Handler] = []
    current: logging.Logger | None = logger
    while current is not None:
        if current.filters or current.disabled:
            return None
        found += current.handlers
        current = current.parent if current.propagate else None
    if len(found) != 1 or type(found[0]) is not BatchedStderr:
        return None
    handler = found[0]
    ours = type(handler.formatter) in (TextFormatter, JsonFormatter)
    return handler if ours and not handler.filters and handler.level <= logging.INFO else None


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _checked(settings: Settings) -> tuple[str, str]:
    level = settings.log_level.upper()
    if level not in LEVELS:
        raise ConfigError(
            f"BALCAO_LOG_LEVEL: nível desconhecido {settings.log_level!r}; use {', '.join(LEVELS)}"
        )
    if settings.log_format not in FORMATS:
        raise ConfigError(
            f"BALCAO_LOG_FORMAT: formato desconhecido {settings.log_format!r}; use text ou json"
        )
    return level, settings.log_format


def configure_logging(settings: Settings) -> None:
    """Route our loggers and the server's through one handler on standard error."""
    level, fmt = _checked(settings)
    formatter = JsonFormatter if fmt == "json" else TextFormatter
    server = {name: {"handlers": [], "propagate": True, "level": level} for name in _SERVER_LOGGERS}
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"balcao": {"()": formatter}},
            "handlers": {"stderr": {"()": BatchedStderr, "formatter": "balcao"}},
            "root": {"handlers": ["stderr"], "level": level},
            "loggers": {
                **server,
                "alembic": {"level": "WARNING"},
            },
        }
    )


def framework_logging() -> LoggingConfig:
    """Litestar's logger handed to ours: no root handler or format of its own."""
    from litestar.logging.config import LoggingConfig

    return LoggingConfig(
        configure_root_logger=False,
        loggers={"litestar": {"level": "NOTSET", "handlers": [], "propagate": True}},
    )
