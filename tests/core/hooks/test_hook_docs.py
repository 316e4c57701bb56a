"""The notification and veto hooks are tested in tests/core/test_lifecycle.py:
test_hook_balcao_on_event_... and test_hook_balcao_validate_transition_...; this module checks
that every hook has a test and a documented signature."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from balcao import hookspecs

ROOT = Path(__file__).parents[3]


def _hooks() -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(fn)
        for name, fn in vars(hookspecs).items()
        if name.startswith("balcao_") and callable(fn)
    }


def test_every_hook_is_documented_with_its_signature() -> None:
    docs = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")
    for name, signature in _hooks().items():
        arguments = ", ".join(signature.parameters)
        assert f"### `{name}({arguments})`" in docs, f"{name} missing from docs/hooks.md"


def test_every_hook_has_a_test() -> None:
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py"))
    for name in _hooks():
        assert re.search(rf"def test_hook_{name}[_(]", sources), f"no test_hook_{name}"
