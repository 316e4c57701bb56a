"""The command line starts without the web framework, the ORM or the migration tool: what
``balcao --help`` and the public package import, checked in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import balcao
from balcao._delivery.command import QUEUE_NAMES
from balcao._delivery.dead_letters import QUEUES

HEAVY = ("litestar", "sqlalchemy", "alembic", "mako", "pygments", "jinja2", "holidays", "httpx")


def modules_after(code: str) -> set[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BALCAO_")}
    probe = f"import sys\n{code}\nprint(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(result.stdout.splitlines()[-1].split())


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
