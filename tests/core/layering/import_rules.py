"""Who may import whom, read from the source with ``ast`` (no import is executed)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ROOT", "Import", "attribute_reaches", "imports_of", "python_files"]

ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    module: str  # the module imported from, absolute
    names: tuple[str, ...]  # the names taken from it (empty for ``import x``)
    bound: tuple[str, ...] = ()  # the names the import binds in the module

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "migrations" not in p.parts)


def _package_of(path: Path) -> str:
    parts = list(path.with_suffix("").parts)
    top = parts.index("src") + 1
    package = parts[top:]
    return ".".join(package if path.name == "__init__.py" else package[:-1])


def imports_of(path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                yield Import(path, node.lineno, alias.name, (), (bound,))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = _package_of(path).split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            names = tuple(a.name for a in node.names)
            bound = tuple(a.asname or a.name for a in node.names)
            yield Import(path, node.lineno, module, names, bound)


def attribute_reaches(path: Path) -> Iterator[tuple[int, str, str]]:
    """``(line, owner, attribute)`` for every ``owner.attribute`` read where owner is a name
    or ``self.name`` (e.g. ``desk.now`` or ``self.desk.database``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        owner = node.value
        if isinstance(owner, ast.Name):
            yield node.lineno, owner.id, node.attr
        elif (
            isinstance(owner, ast.Attribute)
            and isinstance(owner.value, ast.Name)
            and owner.value.id in ("self", "cls")
        ):
            yield node.lineno, f"self.{owner.attr}", node.attr
