"""The command line starts without the web framework, the ORM or the migration tool: what
``balcao --help`` and the public package import, checked in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import balcao
from balcao._delivery.command import QUEUE_NAMES
from balcao._delivery.dead_letters import QUEUES

HEAVY = ("litestar", "sqlalchemy", "alembic", "mako", "pygments", "jinja2", "holidays", "httpx")


def last_line(code: str) -> str:
    """The last line ``code`` prints, run in a fresh interpreter (``sys`` imported)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BALCAO_")}
    result = subprocess.run(
        [sys.executable, "-c", f"import sys\n{code}"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.splitlines()[-1] if result.stdout.strip() else ""


def modules_after(code: str) -> set[str]:
    """The top-level packages imported once ``code`` ran (a package is in ``sys.modules``
    whenever one of its modules was really imported; httpx's command line has a stand-in)."""
    return set(
        last_line(f"{code}\nprint(' '.join(m for m in sys.modules if '.' not in m))").split()
    )


def test_help_lists_every_command_without_heavy_imports() -> None:
    code = "from balcao.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
    loaded = modules_after(code)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_help_shows_the_plugins_commands() -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BALCAO_")}
    result = subprocess.run(
        [sys.executable, "-m", "balcao", "--help"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    for command in ("serve", "users", "routing", "deliveries", "report", "export", "meet-check"):
        assert f"  {command} " in result.stdout, result.stdout


@pytest.mark.parametrize(
    "package",
    ["balcao_webform", "balcao_whatsapp", "balcao_meet", "balcao_email", "balcao_falabr_export"],
)
def test_a_plugin_package_imports_light(package: str) -> None:
    loaded = modules_after(f"import {package}")
    assert not loaded & {"litestar", "sqlalchemy", "alembic"}, package


def test_public_names_load_on_first_use() -> None:
    loaded = modules_after("from balcao import ChannelSpec, hookimpl, Settings")
    assert not loaded & set(HEAVY)
    assert "litestar" in modules_after("from balcao import create_app")


def test_an_unknown_public_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        balcao.Nope  # noqa: B018
    with pytest.raises(ImportError):
        from balcao import Nope  # noqa: F401


def test_lazy_plugin_names_resolve() -> None:
    import balcao_email
    import balcao_meet
    import balcao_webform
    import balcao_whatsapp

    assert balcao_meet.Bookings.__name__ == "Bookings"
    assert balcao_meet.BookingRow.__tablename__
    assert callable(balcao_email.parse) and balcao_email.Mail.__name__ == "Mail"
    assert balcao_webform.IntakeIn.__name__ == "IntakeIn"
    assert callable(balcao_whatsapp.split) and balcao_whatsapp.WhatsAppAdapter
    with pytest.raises(AttributeError):
        balcao_meet.Nope  # noqa: B018


def test_the_dead_letter_command_names_every_queue() -> None:
    assert list(QUEUE_NAMES) == sorted(QUEUES)


def test_the_calendar_loads_brazils_holidays_alone() -> None:
    code = (
        "import datetime as dt\n"
        "from balcao._domain.calendar import BusinessCalendar\n"
        "name = BusinessCalendar().holiday_name(dt.date(2026, 11, 20))\n"
        "assert name and 'Consciência Negra' in name, name\n"
        "countries = [m for m in sys.modules if m.startswith('holidays.countries.')]\n"
        "groups = [m for m in sys.modules if m.startswith('holidays.groups.')]\n"
        "import holidays  # the whole library still works for whoever asks for it\n"
        "assert holidays.country_holidays('FR', years=2026).get(dt.date(2026, 7, 14))\n"
        "print(' '.join(countries), ' '.join(groups))"
    )
    assert last_line(code).split() == [
        "holidays.countries.brazil",
        "holidays.groups.christian",
        "holidays.groups.international",
    ]


def test_the_heads_read_from_the_files_are_alembics() -> None:
    from alembic.script import ScriptDirectory

    from balcao import PluginHost, Settings
    from balcao._db.migrate import alembic_config
    from balcao._db.status import file_heads

    found = PluginHost(Settings()).collect("balcao_register_migrations")
    locations = tuple(m.spec.location for m in found)
    assert len(locations) == 4  # every bundled plugin with tables
    for where in ((), locations):
        script = ScriptDirectory.from_config(alembic_config(where))
        assert file_heads(where) == frozenset(script.get_heads())


# What a server loads only when a request first needs it: sealing and opening identities
# (cryptography), passwords (argon2), calls to outside services (httpx), routing rules with a
# regex (RE2), migrations (alembic, mako), the other database's driver.
DEFERRED = ("cryptography", "argon2", "httpx", "re2", "alembic", "mako", "pygments", "asyncpg")

_SERVE_AND_GET_HOME = """
import asyncio, os
os.environ["BALCAO_DATABASE_URL"] = "sqlite+aiosqlite:///" + {db!r}
os.environ["BALCAO_SECRET_KEY"] = "k" * 40
from balcao import create_app
app = create_app()
answers = []

async def get_home():
    scope = {{"type": "http", "method": "GET", "path": "/", "raw_path": b"/",
        "query_string": b"", "headers": [(b"host", b"localhost")], "scheme": "http",
        "http_version": "1.1", "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 1),
        "root_path": "", "app": app}}
    async def receive():
        return {{"type": "http.request", "body": b"", "more_body": False}}
    async def send(message):
        answers.append(message.get("status"))
    async with app.lifespan():
        await app(scope, receive, send)

asyncio.run(get_home())
assert answers[0] == 200, answers
"""


def test_the_server_answers_its_first_page_without_what_it_does_not_need(tmp_path: Path) -> None:
    loaded = modules_after(_SERVE_AND_GET_HOME.format(db=str(tmp_path / "balcao.db")))
    assert "litestar" in loaded and "holidays" in loaded  # the page was served
    assert not loaded & set(DEFERRED), sorted(loaded & set(DEFERRED))
