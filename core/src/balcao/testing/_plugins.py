"""Which plugins a test runs with: those installed through the ``balcao`` entry points."""

from __future__ import annotations

from importlib.metadata import entry_points
from types import ModuleType

__all__ = ["installed_plugins", "plugins_disabled"]


def installed_plugins(*names: str) -> list[tuple[str, ModuleType]]:
    """The installed plugins as ``(name, module)`` pairs for ``make_balcao(plugins=...)``,
    in a stable order; with ``names``, only those (a name not installed fails loudly)."""
    found = {ep.name: ep for ep in entry_points(group="balcao")}
    missing = sorted(set(names) - set(found))
    if missing:
        raise LookupError(f"plugins not installed: {', '.join(missing)}")
    chosen = names or tuple(sorted(found))
    return [(name, found[name].load()) for name in chosen]


def plugins_disabled(*, keep: tuple[str, ...] = ()) -> dict[str, str]:
    """The environment that disables every installed plugin but ``keep``
    (``BALCAO_DISABLE_PLUGINS``), for a ``balcao`` command run by a test."""
    names = sorted(ep.name for ep in entry_points(group="balcao") if ep.name not in keep)
    return {"BALCAO_DISABLE_PLUGINS": ",".join(names)}
