"""Running ``balcao`` commands from tests: in-process through Click's ``CliRunner`` (fast,
the same one-line errors and exit statuses as the program), or as a child process where the
process boundary is the point (signals, ``serve``)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

__all__ = ["CliResult", "balcao_environ", "run_balcao", "run_cli"]


@dataclass(frozen=True)
class CliResult:
    """What a ``balcao`` command did: exit status, standard output and standard error."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        """Standard output, line by line."""
        return self.stdout.splitlines()


def balcao_environ(env: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any ``BALCAO_*`` variable, plus ``env``: a command
    sees only the settings its test gives it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BALCAO_")}
    return {**clean, **env}


@contextlib.contextmanager
def _kept_logging() -> Iterator[None]:
    """The command configures logging for a program; the test process gets its own back."""
    loggers = [logging.root, *logging.Logger.manager.loggerDict.values()]
    saved = [
        (lg, lg.handlers[:], lg.level, lg.propagate, lg.disabled)
        for lg in loggers
        if isinstance(lg, logging.Logger)
    ]
    try:
        yield
    finally:
        for lg, handlers, level, propagate, disabled in saved:
            lg.handlers[:], lg.level, lg.propagate, lg.disabled = (
                handlers,
                level,
                propagate,
                disabled,
            )


@contextlib.contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def run_cli(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None, stdin: str = ""
) -> CliResult:
    """``balcao *args`` in this process, in the directory ``cwd`` (where ``balcao.toml`` and
    the default database live), with only the ``BALCAO_*`` variables in ``env``. Commands
    run their own event loop: called from an async test, the command runs in a worker thread
    while the test waits (``await asyncio.to_thread(run_cli, ...)`` lets the test's loop go
    on meanwhile)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _invoke(args, cwd, env or {}, stdin)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_invoke, args, cwd, env or {}, stdin).result()


def _invoke(args: Sequence[str], cwd: Path, env: Mapping[str, str], stdin: str) -> CliResult:
    from balcao.cli import main

    unset = {k: None for k in os.environ if k.startswith("BALCAO_") and k not in env}
    runner = CliRunner()
    code = 0
    with (
        _working_directory(cwd),
        _kept_logging(),
        runner.isolation(input=stdin, env={**unset, **env}) as (out, err, _),
    ):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    return CliResult(code, stdout, stderr)


def run_balcao(
    *args: str,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    stdin: str = "",
    timeout: float = 180,
) -> CliResult:
    """``balcao *args`` as a child process (``python -m balcao``), as an operator runs it,
    with only the ``BALCAO_*`` variables in ``env``."""
    done = subprocess.run(  # noqa: S603 - our own program, arguments from the test
        [sys.executable, "-m", "balcao", *args],
        cwd=cwd,
        env=balcao_environ(env or {}),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)
