"""Running the real ``balcao`` program in a child process, as an operator would."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BUNDLED = "whatsapp,meet,webform,falabr_export,email"


@dataclass(frozen=True)
class Run:
    code: int
    out: list[str]
    err: str


def _program() -> str:
    found = Path(sys.executable).parent / "balcao"
    return str(found) if found.exists() else "balcao"


async def balcao_cli(*args: str, cwd: Path, **env: str) -> Run:
    """``balcao *args`` in ``cwd`` with only the given BALCAO_* variables."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BALCAO_")}
    environ.update({"BALCAO_DISABLE_PLUGINS": BUNDLED, **env})
    done = await asyncio.to_thread(
        subprocess.run,
        [_program(), *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Run(done.returncode, done.stdout.splitlines(), done.stderr)
