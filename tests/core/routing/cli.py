"""Running the real ``balcao`` program, as an operator would (in-process, through Click's
runner: the same output, errors and exit status, without a new interpreter per call)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from balcao.testing import plugins_disabled, run_cli


@dataclass(frozen=True)
class Run:
    code: int
    out: list[str]
    err: str


async def balcao_cli(*args: str, cwd: Path, **env: str) -> Run:
    """``balcao *args`` in ``cwd`` with only the given BALCAO_* variables."""
    done = await asyncio.to_thread(run_cli, *args, cwd=cwd, env={**plugins_disabled(), **env})
    return Run(done.returncode, done.lines, done.stderr)
