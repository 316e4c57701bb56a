"""What the browser test needs: axe-core, pinned and installed by .ci/run into tests/.vendor
(never fetched at run time); Playwright and Chromium come from ``balcao.testing``."""

from __future__ import annotations

from pathlib import Path

import pytest

OUTPUT = Path(__file__).resolve().parents[3] / "test-output" / "webform"
_AXE = Path(__file__).resolve().parents[2] / ".vendor" / "node_modules" / "axe-core" / "axe.min.js"


def axe_source() -> str:
    """axe-core's browser bundle."""
    if not _AXE.exists():
        pytest.fail(
            "axe-core is missing: npm install --prefix tests/.vendor axe-core@4.14.1 "
            "(.ci/run does it)"
        )
    return _AXE.read_text(encoding="utf-8")
