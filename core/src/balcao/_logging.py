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
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from balcao._config import ConfigError, Settings

if TYPE_CHECKING:
    from litestar.logging.config import LoggingConfig

__all__ = ["FORMATS", "configure_logging", "framework_logging", "request_id"]

FORMATS = ("text", "json")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
request_id: ContextVar[str | None] = ContextVar("balcao_request_id", default=None)
_SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "litestar")


def _context(record: logging.LogRecord) -> dict[str, str]:
    found: dict[str, str] = {}
    rid = getattr(record, "request_id", None) or request_id.get()
    if rid:
        found["request_id"] = rid
    protocol = getattr(record, "protocol", None)
    if protocol:
        found["protocol"] = protocol
    return found


class TextFormatter(logging.Formatter):
    """``2026-12-07 03:50:38 INFO balcao.worker: message [request_id=…]``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")
        self._stamp = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """The time to the second, formatted once per second (the access log writes a line
        per request); one tuple, so a thread never sees one second's text for another."""
        second, text = self._stamp
        if int(record.created) != second:
            text = super().formatTime(record, datefmt)
            self._stamp = (int(record.created), text)
        return text

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = " ".join(f"{k}={v}" for k, v in _context(record).items())
        if not extra:
            return line
        head, sep, tail = line.partition("\n")
        return f"{head} [{extra}]{sep}{tail}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, protocol."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_context(record),
        }
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


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
        loop = _running_loop()
        if loop is None or record.levelno >= logging.WARNING:
            self.flush()
        elif len(self._waiting) == 1:
            loop.call_soon(self.flush)

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            if self._waiting:
                lines, self._waiting = "".join(self._waiting), []
                self.stream.write(lines)
            super().flush()


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
