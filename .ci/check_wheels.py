"""Release check: build a wheel of every distribution, install them at the pinned versions in
a clean virtual environment, import them, and list the plugins with the balcao command.
Every distribution must carry the version in VERSION."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORTS = [
    "balcao",
    "balcao_webform",
    "balcao_whatsapp",
    "balcao_meet",
    "balcao_falabr_export",
    "balcao_email",
]
PLUGINS = {"webform", "whatsapp", "meet", "falabr_export", "email"}


def _run(*args: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"wheels: {' '.join(map(str, args))} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def main() -> None:
    uv = shutil.which("uv") or sys.exit("wheels: uv is not installed")
    version = (ROOT / "VERSION").read_text().strip()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        _run(uv, "build", "--quiet", "--wheel", "--all-packages", "-o", work / "dist")
        wheels = sorted((work / "dist").glob("*.whl"))
        if len(wheels) != len(IMPORTS) or any(f"-{version}-" not in w.name for w in wheels):
            sys.exit(f"wheels: expected {len(IMPORTS)} wheels at {version}, got {wheels}")
        pins = _run(
            uv,
            "export",
            "--quiet",
            "--frozen",
            "--format",
            "requirements-txt",
            "--no-hashes",
            "--all-packages",
            "--no-emit-workspace",
            "--no-header",
            "--no-annotate",
            "--no-dev",
        )
        (work / "pins.txt").write_text(pins)
        _run(uv, "venv", "--quiet", work / "venv")
        python = work / "venv" / "bin" / "python"
        _run(uv, "pip", "install", "--quiet", "--python", python, "-c", work / "pins.txt", *wheels)
        _run(python, "-c", f"import {', '.join(IMPORTS)}", cwd=work)
        listed = _run(work / "venv" / "bin" / "balcao", "plugins", "--json", cwd=work)
        plugins = {p["name"]: p for p in json.loads(listed)}
        missing = PLUGINS - {n for n, p in plugins.items() if p["status"] == "active"}
        wrong = {
            n: p["version"] for n, p in plugins.items() if n in PLUGINS and p["version"] != version
        }
        if missing or wrong:
            sys.exit(f"wheels: plugins not active {missing}, at another version {wrong}")
    print(f"wheels: {len(wheels)} distributions at {version} build, install and import")


if __name__ == "__main__":
    main()
