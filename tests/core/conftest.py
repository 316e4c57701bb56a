"""Helpers to install throw-away plugin distributions (with entry points) for a test, and
the PostgreSQL-only modules (``*_postgres.py``), collected only on PostgreSQL."""

from __future__ import annotations

import importlib
import os
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

InstallPlugin = Callable[[str, str], Path]


@pytest.fixture
def install_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InstallPlugin]:
    """``install_plugin(name, source)`` installs module ``demo_<name>`` as distribution
    ``demo-<name>`` with an entry point ``<name>`` in the ``balcao`` group."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    installed: list[str] = []

    def install(name: str, source: str) -> Path:
        module = f"demo_{name}"
        (root / f"{module}.py").write_text(textwrap.dedent(source))
        info = root / f"demo_{name}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: demo-{name}\nVersion: 1.0\n")
        (info / "entry_points.txt").write_text(f"[balcao]\n{name} = {module}\n")
        installed.append(module)
        importlib.invalidate_caches()
        return root

    yield install
    for module in installed:
        sys.modules.pop(module, None)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    # tests of a PostgreSQL server's own behaviour: nothing to run against a SQLite file
    if collection_path.name.endswith("_postgres.py"):
        return not os.environ.get("BALCAO_TEST_DATABASE_URL", "").startswith("postgresql")
    return None
