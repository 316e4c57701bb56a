"""A real ``balcao serve`` SIGKILLed while it registers a web-form submission: before the
commit, and after the commit but before the answer leaves. After a restart the citizen sends
the same POST again (the browser's resubmission, same form ticket) and gets one case, with the
receipt and the access code, never two cases."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from balcao.testing import Balcao
from balcao.testing._processes import Workers, worker_environment

from .conftest import FORM, hidden, identified

RECEIPT = "/channels/webform/recibo"


@pytest.fixture
def webform_settings() -> dict[str, Any]:
    # the server runs on the real clock: no waiting before the POST
    return {"max_files": 3, "max_file_mb": 1, "rate_limit_per_hour": 5, "min_fill_seconds": 0}


@pytest.fixture
def servers(app: Balcao, tmp_path: Path) -> Iterator[Workers]:
    group = Workers(worker_environment(app, tmp_path, log_level="ERROR"), tmp_path)
    yield group
    group.close()


class Browser:
    """One citizen's browser against one server address at a time (cookies kept)."""

    def __init__(self, url: str) -> None:
        self.client = httpx.AsyncClient(base_url=url, timeout=30, follow_redirects=True)
        self.form: dict[str, str] = {}

    async def fill(self, **changes: str) -> None:
        page = (await self.client.get(FORM)).text
        tokens = {name: hidden(page, name) for name in ("_csrf_token", "ticket")}
        self.form = {**identified(**changes), **tokens}

    async def post(self) -> httpx.Response:
        empty = [("attachments", ("", b"", "application/octet-stream"))]
        return await self.client.post(FORM, data=self.form, files=empty)

    def moved_to(self, url: str) -> None:
        self.client.base_url = httpx.URL(url)


async def _receipt(browser: Browser) -> tuple[str, str]:
    response = await browser.post()  # follows the 303 to the receipt
    assert response.status_code == 200 and response.url.path == RECEIPT, response.text
    protocol = re.search(r'id="protocolo">([^<]+)<', response.text)
    code = re.search(r'id="codigo">([^<]+)<', response.text)
    assert protocol and code, response.text
    return protocol.group(1), code.group(1)


async def _cases(app: Balcao) -> list[str]:
    async with app.desk.database.read() as session:
        rows = await session.scalars(text("SELECT protocol FROM manifestations ORDER BY id"))
        return list(rows)


def _died(process: subprocess.Popen[bytes], servers: Workers) -> None:
    assert process.wait(timeout=30) == -9, servers.logs()


@pytest.mark.parametrize("step", ["commit", "committed"])
async def test_a_server_killed_at_the_commit_loses_nothing_and_repeats_the_receipt(
    app: Balcao, servers: Workers, step: str
) -> None:
    # the second registration kills the server: the first was answered before
    process, url = servers.serve(BALCAO_TEST_CRASH_AT=f"{step}:manifestations#2")
    browser = Browser(url)
    await browser.fill()
    acknowledged = await _receipt(browser)
    await browser.fill(description="Segunda manifestação: a biblioteca fechou cedo.")
    with pytest.raises(httpx.TransportError):  # the answer never comes
        await browser.post()
    _died(process, servers)
    # killed before the commit: not registered; after it: registered, the code unseen
    assert len(await _cases(app)) == (1 if step == "commit" else 2)
    _, url = servers.serve()
    browser.moved_to(url)
    protocol, code = await _receipt(browser)  # F5: the same POST, the same ticket
    assert await _receipt(browser) == (protocol, code)  # and once more: still the same
    assert await _cases(app) == [acknowledged[0], protocol]
    for number, access in (acknowledged, (protocol, code)):
        assert await app.desk.verify_access(number, access) is not None
