"""Start-up time and idle memory of ``balcao``, against a baseline measured in the same run.

    UV_PROJECT_ENVIRONMENT=.venv-runtime uv sync      # what `uv run balcao serve` installs
    uv run python benchmarks/startup_memory.py --venv .venv-runtime [--runs 5]
        [--peer-python PATH] [--deadlines 52000]

``--venv`` is the environment measured (default: the one running this script); a
runtime-only one is the honest choice, since test tools present in the environment are picked
up by libraries at import (Litestar loads its attrs plugin when attrs is installed).

Measured, each over ``--runs`` fresh processes (min and median printed):

- ``balcao --help``: wall time of the command;
- ``balcao users create``: wall time, against a migrated SQLite database;
- ``balcao serve``: from the process start to the first ``200`` of ``GET /`` (a fresh,
  migrated SQLite database), in wall time and in CPU time (which varies far less on a shared
  machine), then the resident memory (RSS, the server's process tree) after
  the first 10 requests and after 1,000 more;
- the deadline watcher's first pass over ``--deadlines`` overdue deadlines: the longest write
  transaction and the RSS it adds, in chunks (as it runs) and in one transaction (as it ran
  before), in the same run.

Baselines, measured the same way in the same run:

- a bare Litestar app (``benchmarks/bare_startup_app.py``) under the same server (uvicorn), the
  framework's own floor;
- with ``--peer-python PATH`` (the Python of a throwaway virtual environment holding
  ``django-helpdesk==2.6.1`` and ``gunicorn``, made outside this repository), the peer: a
  minimal Django project generated in a temporary folder, served by gunicorn (one sync worker)
  on SQLite, ``GET /`` being the public helpdesk page.

The interpreters keep their bytecode caches (as an installed server does): one unmeasured
warm-up run writes them first."""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECRET = "benchmark-secret-key-0123456789-abcdef"
PASSWORD = "senha-de-benchmark-123"
BIN = Path(sys.executable).parent  # set by --venv
FIRST_REQUESTS = 10
MORE_REQUESTS = 1000
# the peer's public page shows its submission form once a queue takes public tickets
PUBLIC_QUEUE = (
    "from helpdesk.models import Queue; "
    "Queue.objects.create(title='Ouvidoria', slug='ouvidoria', allow_public_submission=True)"
)


def _env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BALCAO_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        BALCAO_SECRET_KEY=SECRET,
        BALCAO_DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'balcao.db'}",
        BALCAO_LOG_LEVEL="WARNING",
        BALCAO_ACCESS_LOG="false",
    )
    return env


def _timed(command: Sequence[str], env: dict[str, str], cwd: Path, stdin: str = "") -> float:
    start = time.perf_counter()
    subprocess.run(
        command, env=env, cwd=cwd, input=stdin, text=True, check=True, capture_output=True
    )
    return time.perf_counter() - start


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status(port: int) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/")
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def _requests(port: int, n: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(n):
        connection.request("GET", "/")
        response = connection.getresponse()
        response.read()
        assert response.status == 200, response.status
    connection.close()


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (gunicorn's workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def _rss_kb(pid: int) -> int:
    """The resident memory of ``pid``'s process tree."""
    total = 0
    for current in _tree(pid):
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        total += next(int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS"))
    return total


def _cpu_s(pid: int) -> float:
    """User plus system CPU seconds of ``pid``'s process tree: unlike the wall time, it
    hardly moves when others load the machine."""
    ticks = 0
    for current in _tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _serve_once(
    command: Sequence[str], env: dict[str, str], cwd: Path, port: int
) -> tuple[float, float, int, int]:
    """Seconds to the first 200 (wall, CPU), RSS (kB) after the first requests and after
    1,000 more."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while _status(port) != 200:
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {process.returncode}")
            time.sleep(0.005)
        first = time.perf_counter() - start
        cpu = _cpu_s(process.pid)
        _requests(port, FIRST_REQUESTS - 1)
        time.sleep(1.0)  # let start-up work settle
        idle = _rss_kb(process.pid)
        _requests(port, MORE_REQUESTS)
        time.sleep(1.0)
        return first, cpu, idle, _rss_kb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _serve_runs(
    label: str, make: Callable[[Path, int], tuple[list[str], dict[str, str]]], runs: int
) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {
        "first 200 (s)": [],
        "CPU to first 200 (s)": [],
        "idle RSS (MB)": [],
        "RSS after 1,000 (MB)": [],
    }
    for i in range(runs + 1):  # run 0 writes the bytecode caches
        with tempfile.TemporaryDirectory(prefix="startup-") as folder:
            port = _free_port()
            command, env = make(Path(folder), port)
            first, cpu, idle, after = _serve_once(command, env, Path(folder), port)
        if i:
            found["first 200 (s)"].append(first)
            found["CPU to first 200 (s)"].append(cpu)
            found["idle RSS (MB)"].append(idle / 1024)
            found["RSS after 1,000 (MB)"].append(after / 1024)
    print(f"  {label}: done", file=sys.stderr)
    return found


def _balcao_serve(folder: Path, port: int) -> tuple[list[str], dict[str, str]]:
    env = _env(folder)
    subprocess.run(
        [str(BIN / "balcao"), "db", "upgrade"], env=env, cwd=folder, check=True, capture_output=True
    )
    return [str(BIN / "balcao"), "serve", "--port", str(port)], env


def _bare_serve(folder: Path, port: int) -> tuple[list[str], dict[str, str]]:
    env = _env(folder)
    command = [
        str(BIN / "python"),
        "-m",
        "uvicorn",
        "--app-dir",
        str(HERE),
        "bare_startup_app:app",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    return command, env


def _peer_serve(python: Path) -> Callable[[Path, int], tuple[list[str], dict[str, str]]]:
    def make(folder: Path, port: int) -> tuple[list[str], dict[str, str]]:
        _write_peer_project(folder)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["DJANGO_SETTINGS_MODULE"] = "peer.settings"
        env["PYTHONPATH"] = str(folder)
        for step in (["migrate", "--noinput"], ["shell", "-c", PUBLIC_QUEUE]):
            subprocess.run(
                [str(python), "-m", "django", *step],
                env=env,
                cwd=folder,
                check=True,
                capture_output=True,
            )
        gunicorn = [
            str(python),
            "-m",
            "gunicorn",
            "peer.wsgi",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ]
        return gunicorn, env

    return make


def _write_peer_project(folder: Path) -> None:
    """The smallest Django project that serves django-helpdesk, as its install guide says."""
    package = folder / "peer"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(
        textwrap.dedent(f"""\
        SECRET_KEY = "{SECRET}"
        DEBUG = False
        ALLOWED_HOSTS = ["*"]
        SITE_ID = 1
        INSTALLED_APPS = [
            "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
            "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
            "django.contrib.sites", "django.contrib.humanize", "rest_framework", "helpdesk",
        ]
        MIDDLEWARE = [
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ]
        ROOT_URLCONF = "peer.urls"
        TEMPLATES = [{{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "APP_DIRS": True,
            "OPTIONS": {{"context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]}},
        }}]
        DATABASES = {{"default": {{
            "ENGINE": "django.db.backends.sqlite3", "NAME": "{folder / "peer.db"}",
        }}}}
        STATIC_URL = "/static/"
        LOGIN_URL = "/login/"
        USE_TZ = True
        HELPDESK_TEAMS_MODE_ENABLED = False  # teams need pinax-teams, an optional extra
    """)
    )
    (package / "urls.py").write_text(
        textwrap.dedent("""\
        from django.contrib import admin
        from django.contrib.auth import views
        from django.urls import include, path

        urlpatterns = [
            path("admin/", admin.site.urls),
            path("login/", views.LoginView.as_view(), name="login"),
            path("", include("helpdesk.urls", namespace="helpdesk")),
        ]
    """)
    )
    (package / "wsgi.py").write_text(
        "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n"
    )


def _command_runs(runs: int) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {"balcao --help (s)": [], "balcao users create (s)": []}
    with tempfile.TemporaryDirectory(prefix="startup-") as folder:
        cwd = Path(folder)
        env = _env(cwd)
        subprocess.run(
            [str(BIN / "balcao"), "db", "upgrade"],
            env=env,
            cwd=cwd,
            check=True,
            capture_output=True,
        )
        for i in range(runs + 1):
            took = _timed([str(BIN / "balcao"), "--help"], env, cwd)
            create = [
                str(BIN / "balcao"),
                "users",
                "create",
                "--email",
                f"u{i}@example.org",
                "--name",
                "Pessoa",
                "--role",
                "atendente",
            ]
            made = _timed(create, env, cwd, stdin=PASSWORD)
            if i:
                found["balcao --help (s)"].append(took)
                found["balcao users create (s)"].append(made)
    return found


def _deadline_runs(n: int) -> str:
    """The watcher's pass in a process of its own (its peak RSS is then its own)."""
    with tempfile.TemporaryDirectory(prefix="deadlines-") as folder:
        lines = []
        for chunk in ("500", "one"):
            env = _env(Path(folder))
            env["BALCAO_DATABASE_URL"] = f"sqlite+aiosqlite:///{Path(folder) / chunk}.db"
            result = subprocess.run(
                [str(BIN / "python"), str(HERE / "deadline_pass.py"), str(n), chunk],
                env=env,
                cwd=folder,
                check=True,
                capture_output=True,
                text=True,
            )
            lines.append(result.stdout.strip())
    return "\n".join(lines)


def _table(rows: dict[str, list[float]], baselines: dict[str, dict[str, list[float]]]) -> str:
    names = list(baselines)
    head = "| measure | Balcão min / median | " + " | ".join(
        f"{n} min / median | ratio (median)" for n in names
    )
    out = [head + " |", "|" + " --- |" * (2 + 2 * len(names))]
    for key, values in rows.items():
        cells = [key, _pair(values)]
        for name in names:
            other = baselines[name].get(key)
            if other:
                cells += [
                    _pair(other),
                    f"{statistics.median(values) / statistics.median(other):.2f}",
                ]
            else:
                cells += ["—", "—"]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def _pair(values: list[float]) -> str:
    return f"{min(values):.3f} / {statistics.median(values):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--peer-python", type=Path, help="Python with django-helpdesk 2.6.1")
    parser.add_argument("--deadlines", type=int, default=52_000, help="0 to skip")
    parser.add_argument("--venv", type=Path, default=Path(sys.prefix), help="environment")
    args = parser.parse_args()
    global BIN
    BIN = args.venv.resolve() / "bin"  # the runs start in other folders
    if not (BIN / "balcao").exists():
        sys.exit(f"no 'balcao' command in {BIN}: see this script's docstring")
    rows = _command_runs(args.runs)
    rows |= _serve_runs("balcao serve", _balcao_serve, args.runs)
    baselines = {"bare Litestar": _serve_runs("bare Litestar", _bare_serve, args.runs)}
    if args.peer_python:
        peer = _serve_runs("django-helpdesk", _peer_serve(args.peer_python), args.runs)
        baselines["django-helpdesk 2.6.1 (gunicorn)"] = peer
    print(f"{args.runs} runs each, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(_table(rows, baselines))
    if args.deadlines:
        print(_deadline_runs(args.deadlines))


if __name__ == "__main__":
    main()
