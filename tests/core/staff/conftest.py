"""Helpers for the staff web interface tests: staff users with passwords (through the
``balcao users create`` command, as an operator would) and logged-in browser-like clients."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from typing import Any

import pytest

from balcao.testing import TEST_SECRET, Balcao

PASSWORD = "uma-senha-longa-de-teste"


async def create_user(balcao: Balcao, email: str, role: str, unit: str | None = None) -> None:
    """``balcao users create``, run as a separate program against the test database."""
    args = ["users", "create", "--email", email, "--name", email.split("@")[0].title()]
    args += ["--role", role, *(["--unit", unit] if unit else [])]
    env = {
        **os.environ,
        "BALCAO_DATABASE_URL": balcao.settings.database_url,
        "BALCAO_SECRET_KEY": TEST_SECRET,
        "BALCAO_CONFIG": os.devnull,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from balcao.cli import main; main()",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    out, err = await process.communicate((PASSWORD + "\n").encode())
    assert process.returncode == 0, (out + err).decode()


async def csrf(balcao: Balcao, path: str = "/staff/entrar") -> str:
    """Visit a page so the CSRF cookie is set; returns the token from the page's form."""
    response = await balcao.client.get(path)
    found = re.search(r'name="_csrf_token" value="([^"]+)"', response.text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


async def login(balcao: Balcao, email: str, password: str = PASSWORD) -> Any:
    token = await csrf(balcao)
    return await balcao.client.post(
        "/staff/entrar",
        data={"email": email, "password": password, "_csrf_token": token, "next": "/staff"},
    )


async def post_form(balcao: Balcao, path: str, data: dict[str, str]) -> Any:
    token = await csrf(balcao, "/staff/conta")
    return await balcao.client.post(path, data={**data, "_csrf_token": token})


@pytest.fixture
async def staff(make_balcao: Any) -> Balcao:
    from balcao.testing import RecordingChannel

    channel = RecordingChannel()
    return await make_balcao(plugins=[(channel.name, channel)])
