"""What the browser test needs, installed when missing or named clearly when it cannot be:
Playwright (a dev dependency), the distribution's Chromium, axe-core from the npm registry."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

OUTPUT = Path(__file__).resolve().parents[3] / "test-output" / "webform"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
_AXE = OUTPUT / "node" / "node_modules" / "axe-core" / "axe.min.js"


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")


def playwright_api() -> ModuleType:
    """``playwright.sync_api``; installed into this environment with uv when missing (it is
    in the dev group of balcao-webform, which a plain ``uv sync`` of the workspace skips)."""
    try:
        return importlib.import_module("playwright.sync_api")
    except ImportError:
        uv = shutil.which("uv")
        if uv is None:
            pytest.fail("playwright is missing: run 'uv sync --all-packages' or install uv")
        _run(uv, "pip", "install", "--quiet", "--python", sys.executable, "playwright>=1.48")
        importlib.invalidate_caches()
        return importlib.import_module("playwright.sync_api")


def chromium() -> str:
    """The path of the system's Chromium, installed with apt-get when missing (as root)."""
    found = shutil.which("chromium")
    if found is None and shutil.which("apt-get") and os.geteuid() == 0:
        _run("apt-get", "update", "-qq")
        _run("apt-get", "install", "-y", "-qq", "chromium")
        found = shutil.which("chromium")
    if found is None:
        pytest.fail(
            "Chromium is missing: install the distribution's package (apt-get install chromium)"
        )
    return found


def axe_source() -> str:
    """axe-core's browser bundle, installed from the npm registry on first use."""
    if not _AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(
                "npm is missing: it is needed to install axe-core for the accessibility check"
            )
        _AXE.parents[2].mkdir(parents=True, exist_ok=True)
        _run(
            npm,
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(_AXE.parents[2]),
            "axe-core@4",
        )
    return _AXE.read_text(encoding="utf-8")
