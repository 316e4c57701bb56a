"""The desk as the form's handlers receive it."""

from __future__ import annotations

from typing import TypeAlias

from litestar.di import NamedDependency
from litestar.params import SkipValidation

from balcao import PluginDesk

__all__ = ["DeskParam"]

# The app provides the desk itself; checking it against PluginDesk on every request would
# be an isinstance against a runtime Protocol, which walks all of its members each time.
DeskParam: TypeAlias = NamedDependency[SkipValidation[PluginDesk]]
