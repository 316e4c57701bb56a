"""The plugin template in docs/ works: its own tests pass when run as its author would."""

import subprocess
import sys
from pathlib import Path

TEMPLATE = Path(__file__).parents[2] / "docs" / "plugin-template"


def test_plugin_template_tests_pass() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(TEMPLATE / "tests")],
        cwd=TEMPLATE,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**__import__("os").environ, "PYTHONPATH": str(TEMPLATE / "src")},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
    # e.g. pytest-asyncio's, when the template leaves the fixtures' loop scope unset
    assert "warning" not in (result.stdout + result.stderr).lower(), result.stderr
