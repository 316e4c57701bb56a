"""Two checks on how the project pins what it installs.

1. Every package installed in the environment is pinned, at that exact version, in the root
   pyproject.toml's `constraint-dependencies` (so a fresh machine installs the same set).
2. No tracked file names a package index's host: pins carry versions, never addresses.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Written with character classes so that this file does not itself name the hosts it looks for.
INDEX_HOST = re.compile(
    r"p[y]pi\.(?:org|io|python\.org)|python[h]osted|registry\.n[p]mjs|"
    r"deb\.debia[n]\.org|security\.debia[n]\.org|--(?:extra-)?index-url|\[\[tool\.uv\.index\]\]",
    re.IGNORECASE,
)


def _name(requirement: str) -> str:
    return re.split(r"[=<>!~ ;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _pins() -> dict[str, str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins: dict[str, str] = {}
    for requirement in config["tool"]["uv"]["constraint-dependencies"]:
        spec = requirement.split(";", 1)[0].strip()
        name, _, version = spec.partition("==")
        if not version:
            sys.exit(f"pin without an exact version in pyproject.toml: {requirement!r}")
        pins[_name(name)] = version.strip()
    return pins


def _installed() -> dict[str, str]:
    out = subprocess.run(
        ["uv", "pip", "list", "--format", "json", "--exclude-editable"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {_name(p["name"]): p["version"] for p in json.loads(out)}


def check_installed() -> list[str]:
    pins = _pins()
    problems = []
    for name, version in sorted(_installed().items()):
        if pins.get(name) != version:
            wanted = pins.get(name, "no pin")
            problems.append(f"{name} {version} is installed, pyproject.toml says {wanted}")
    return problems


def check_hosts() -> list[str]:
    files = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True)
        .stdout.decode()
        .split("\0")
    )
    problems = []
    for relative in filter(None, files):
        path = ROOT / relative
        if not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if INDEX_HOST.search(line):
                problems.append(f"{relative}:{number} names a package index: {line.strip()[:80]}")
    return problems


def main() -> int:
    problems = check_installed() + check_hosts()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("see CONTRIBUTING.md, 'Pins'", file=sys.stderr)
        return 1
    print("pins: every installed package pinned; no package index named in tracked files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
