"""Module length and function length of the core, measured from the source.

Run as a script to print them: ``python tests/core/layering/code_shape.py``.
"""

from __future__ import annotations

import ast
import statistics
import sys
from pathlib import Path

__all__ = ["CORE", "function_lengths", "module_lengths"]

CORE = Path(__file__).resolve().parents[3] / "core" / "src" / "balcao"


def _sources(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "templates" not in p.parts)


def module_lengths(root: Path = CORE) -> dict[Path, int]:
    """Lines per module."""
    return {p: len(p.read_text(encoding="utf-8").splitlines()) for p in _sources(root)}


def function_lengths(root: Path = CORE) -> list[tuple[Path, str, int]]:
    """Every function and method with its length in lines (signature to last line)."""
    found: list[tuple[Path, str, int]] = []
    for path in _sources(root):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                end = node.end_lineno or node.lineno
                found.append((path, node.name, end - node.lineno + 1))
    return found


def main() -> None:
    modules = module_lengths()
    longest = max(modules, key=modules.__getitem__)
    lengths = [n for _, _, n in function_lengths()]
    where = longest.relative_to(CORE)
    print(f"modules: {len(modules)}, longest: {where} ({modules[longest]} lines)")
    print(f"functions: {len(lengths)}, median length: {statistics.median(lengths)} lines")


if __name__ == "__main__":
    sys.exit(main())
