"""Names a package exports but imports on first use (PEP 562 ``__getattr__``)."""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports", "without_httpx_command_line"]


def lazy_exports(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``where`` maps each exported name to the
    module that defines it (``"pkg._mod"``, or ``"pkg._mod:other_name"`` for an alias).

    A plugin's entry module is imported whenever Balcão loads its plugins, the command line
    included; exporting the heavy pieces this way keeps that cheap::

        __getattr__ = lazy_exports(__name__, {"Bookings": "my_plugin._bookings"})
    """

    def __getattr__(name: str) -> Any:
        try:
            module, _, attribute = where[name].partition(":")
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(module), attribute or name)
        setattr(importlib.import_module(package), name, value)
        return value

    return __getattr__


def without_httpx_command_line() -> None:
    """httpx imports its own command line (Rich and Pygments: ~6 MB and a good part of a
    second) whenever Rich is installed, which Litestar's dependencies ensure. A server is
    only an HTTP client: the command line is replaced by a stand-in before httpx loads."""
    name = "httpx._main"
    if name in sys.modules or "httpx" in sys.modules:
        return
    stand_in = types.ModuleType(name)
    stand_in.main = _no_command_line  # type: ignore[attr-defined]
    sys.modules[name] = stand_in


def _no_command_line() -> None:
    raise SystemExit("the httpx command line is not loaded inside Balcão: run 'httpx' itself")
