"""The plugin as an operator meets it: listed, configured, on the home page or not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from staff import headers

from balcao import PluginError
from balcao.testing import Balcao


async def test_listed_among_the_plugins(mail: Balcao) -> None:
    response = await mail.client.get("/api/v1/plugins", headers=await headers(mail))
    assert response.status_code == 200
    [email] = [p for p in response.json() if p["name"] == "email"]
    assert email["status"] == "active"


def test_the_command_line_lists_it(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BALCAO_")}
    environ["BALCAO_SECRET_KEY"] = "k" * 40
    result = subprocess.run(
        [sys.executable, "-m", "balcao", "plugins"],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert any(line.split()[:2] == ["email", "balcao-email"] for line in result.stdout.splitlines())


async def test_the_home_page_shows_the_address(mail: Balcao) -> None:
    page = (await mail.client.get("/")).text
    assert "mailto:ouvidoria@ufmt.example.br" in page


async def test_no_email_card_without_an_address(make_mail: Any) -> None:
    mail = await make_mail(from_address="")
    page = (await mail.client.get("/")).text
    assert "mailto:" not in page


async def test_a_bad_address_is_refused_at_start(make_mail: Any) -> None:
    with pytest.raises(PluginError) as refused:
        await make_mail(from_address="ouvidoria")
    assert "from_address" in str(refused.value)


async def test_an_unknown_security_mode_is_refused(make_mail: Any) -> None:
    with pytest.raises(PluginError) as refused:
        await make_mail(smtp_security="ssl")
    assert "smtp_security" in str(refused.value)
