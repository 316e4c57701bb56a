"""Every public name carries a docstring, and every hook documents each argument: the
reference (docs/reference) is generated from them, so a missing one is a hole in the docs."""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import balcao
import balcao.testing
from balcao import hookspecs


def _public_names() -> Iterator[tuple[str, Any]]:
    for module in (balcao, balcao.testing):
        for name in module.__all__:
            yield f"{module.__name__}.{name}", getattr(module, name)


def _members(cls: type) -> Iterator[tuple[str, Any]]:
    """Public methods and properties a class defines itself (not what it inherits); a
    dataclass field whose default is a function is a field, not a method."""
    fields = {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()
    for name, value in vars(cls).items():
        if name.startswith("_") or name in fields:
            continue
        if isinstance(value, property):
            yield name, value.fget
        elif isinstance(value, staticmethod | classmethod):
            yield name, value.__func__
        elif inspect.isfunction(value):
            yield name, value


def _documented(value: Any) -> bool:
    """Its own docstring: the reference does not copy the ones of the libraries underneath."""
    return bool((getattr(value, "__doc__", None) or "").strip())


def _hooks(module: ModuleType = hookspecs) -> list[str]:
    return sorted(n for n in vars(module) if n.startswith("balcao_"))


def _undocumented() -> list[str]:
    missing = []
    for qualified, value in _public_names():
        if (inspect.isclass(value) or callable(value)) and not _documented(value):
            missing.append(qualified)
        if inspect.isclass(value):
            missing += [
                f"{qualified}.{name}" for name, member in _members(value) if not _documented(member)
            ]
    return missing + [n for n in _hooks() if not _documented(getattr(hookspecs, n))]


def test_every_public_name_and_method_has_a_docstring() -> None:
    assert _undocumented() == []


def test_the_check_sees_a_missing_docstring() -> None:
    class Undocumented:
        def method(self) -> None:
            pass

    assert [name for name, m in _members(Undocumented) if not _documented(m)] == ["method"]


@pytest.mark.parametrize("hook", _hooks())
def test_every_hook_documents_each_argument_and_how_it_is_called(hook: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    arguments = inspect.signature(getattr(hookspecs, hook)).parameters
    undocumented = [a for a in arguments if not re.search(rf":param {a}:", doc)]
    assert undocumented == [], f"{hook}: no ':param' entry for {undocumented}"
    assert "Called " in doc, f"{hook}: say who calls it and when"
    assert "Example::" in doc, f"{hook}: give an example"


def test_every_public_value_is_described_in_the_reference() -> None:
    """Constants and aliases carry no docstring of their own: the reference names them."""
    reference = Path(__file__).parents[2] / "docs" / "reference"
    described = set(re.findall(r"^\.\. py:data:: (\w+)", _rst(reference), re.MULTILINE))
    values = {
        name
        for qualified, value in _public_names()
        if not (inspect.isclass(value) or inspect.isfunction(value) or inspect.ismethod(value))
        for name in [qualified.rsplit(".", 1)[1]]
        if not callable(value) or name == "hookimpl"
    }
    assert values - described == set()


def _rst(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.rst")))
