"""The browser for end-to-end tests: the distribution's Chromium, never a downloaded one."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

__all__ = ["CHROMIUM_ARGS", "chromium_executable", "launch_chromium"]

#: The flags Chromium needs as root in a container, without reaching out to the network.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
)


def chromium_executable() -> str:
    """The path of the system's Chromium; fails the test, saying how to install it, when
    there is none (tests never download a browser)."""
    found = shutil.which("chromium")
    if found is None:
        pytest.fail(
            "Chromium is missing: install the distribution's package (apt-get install chromium)"
        )
    return found


def launch_chromium(playwright: Any, **options: Any) -> Any:
    """Launch the system's Chromium with :data:`CHROMIUM_ARGS` through Playwright, sync or
    async: ``launch_chromium(p)`` with ``sync_playwright()`` gives the browser,
    ``await launch_chromium(p)`` with ``async_playwright()``. ``options`` go to
    ``chromium.launch`` (e.g. ``headless=False``)."""
    return playwright.chromium.launch(
        executable_path=chromium_executable(), args=list(CHROMIUM_ARGS), **options
    )
