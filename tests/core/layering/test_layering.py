"""The layers of the code base, enforced: each failure names the file, the line and what it
imports or reaches for."""

from __future__ import annotations

from pathlib import Path

import pytest

import balcao
from balcao import PluginDesk

from .code_shape import CORE, function_lengths, module_lengths
from .import_rules import ROOT, Import, attribute_reaches, imports_of, python_files

PLUGINS = [*sorted((ROOT / "plugins").glob("*/src/*")), ROOT / "docs/plugin-template/src"]
PUBLIC_MODULES = {"balcao", "balcao.hookspecs"}
PUBLIC = set(balcao.__all__)
# the web layer: routes, pages and the app; the services below them never import it
WEB = ("balcao._web", "balcao._staff", "balcao._app", "balcao.cli", "balcao.testing")
# Edge modules that live beside the service they expose: a CLI command and staff routes.
EDGES = ("_delivery/command.py", "_routing/api.py")
BELOW_WEB = (
    *("_domain", "_services", "_db", "_delivery", "_routing", "_desk.py", "_facade.py"),
    *("_storage.py", "_sealing.py", "_keys.py", "_access.py", "_types.py", "_events.py"),
)
DESK_NAMES = {"desk"}


def _ours(module: str) -> bool:
    return module == "balcao" or module.startswith("balcao.")


def _report(found: list[str], rule: str) -> None:
    if found:
        pytest.fail(f"{rule}:\n  " + "\n  ".join(found), pytrace=False)


def _core_files(*names: str) -> list[Path]:
    files: list[Path] = []
    for name in names:
        target = CORE / name
        files += python_files(target) if target.is_dir() else [target]
    return files


def test_the_domain_imports_nothing_else_of_ours() -> None:
    found = [
        f"{i.where()}: imports {i.module}"
        for path in python_files(CORE / "_domain")
        for i in imports_of(path)
        if _ours(i.module) and not i.module.startswith("balcao._domain")
    ]
    _report(found, "balcao._domain must import only the standard library and itself")


def test_services_and_storage_do_not_import_the_web_layer() -> None:
    found = [
        f"{i.where()}: imports {i.module}"
        for path in _core_files(*BELOW_WEB)
        if not path.as_posix().endswith(EDGES)
        for i in imports_of(path)
        if i.module.startswith(WEB) or (i.module == "balcao" and set(i.names) & {"_web", "_staff"})
    ]
    _report(found, "services, storage and the desk must not import the web layer")


def _plugin_import_problem(i: Import) -> str | None:
    if not _ours(i.module):
        return None
    if i.module not in PUBLIC_MODULES:
        return f"{i.where()}: imports {i.module} (plugins use balcao and balcao.hookspecs only)"
    if "Desk" in i.names:
        return f"{i.where()}: imports Desk (plugins are given a balcao.PluginDesk)"
    hidden = [n for n in i.names if n.startswith("_") or (i.module == "balcao" and n not in PUBLIC)]
    if hidden:
        return f"{i.where()}: imports {', '.join(hidden)} from {i.module} (not public)"
    return None


def test_plugins_import_only_public_names() -> None:
    found = [
        problem
        for folder in PLUGINS
        for path in python_files(folder)
        for i in imports_of(path)
        if (problem := _plugin_import_problem(i)) is not None
    ]
    _report(found, "plugins import only balcao's public names")


def _facade_members() -> set[str]:
    return {n for n in dir(PluginDesk) if not n.startswith("_")}


def test_plugins_use_only_the_facade_of_the_desk() -> None:
    allowed = _facade_members()
    found = [
        f"{path.relative_to(ROOT)}:{line}: {owner}.{attr} is not part of balcao.PluginDesk"
        for folder in PLUGINS
        for path in python_files(folder)
        for line, owner, attr in attribute_reaches(path)
        if owner.removeprefix("self.") in DESK_NAMES and attr not in allowed
    ]
    _report(found, "plugins use the desk through balcao.PluginDesk only")


def test_plugins_reach_no_private_attribute_of_what_they_are_handed() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {owner}.{attr}"
        for folder in PLUGINS
        for path in python_files(folder)
        for line, owner, attr in attribute_reaches(path)
        if attr.startswith("_") and not attr.startswith("__") and owner not in ("self", "cls")
        and not owner.startswith("self.") and owner[:1].islower() and not _module_alias(path, owner)
    ]  # fmt: skip
    _report(found, "plugins reach no private attribute of objects they are handed")


def _module_alias(path: Path, name: str) -> bool:
    """``name`` is bound by an import in ``path`` (a module: ``from balcao_x import _flow as
    flow``), not an object the plugin was handed."""
    return any(name in i.bound for i in imports_of(path))


def test_core_modules_are_small() -> None:
    too_long = {p: n for p, n in module_lengths().items() if n > 600}
    found = [f"{p.relative_to(ROOT)}: {n} lines" for p, n in too_long.items()]
    _report(found, "no module of the core over 600 lines")


def test_median_function_length_of_the_core() -> None:
    lengths = sorted(n for _, _, n in function_lengths())
    median = lengths[len(lengths) // 2]
    assert median <= 12, f"median function length {median} lines (at most 12)"
