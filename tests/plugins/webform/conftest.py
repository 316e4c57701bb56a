"""Fixtures for the web form tests: a balcão with the plugin, and a citizen's browser-like
session (GET the form, keep its CSRF cookie and ticket, POST it back)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import text

import balcao_webform
from balcao.testing import Balcao

FORM = "/channels/webform/"
API = "/channels/webform/api/manifestations"

MakeBalcao = Callable[..., Awaitable[Balcao]]

# A valid CPF (check digits computed by hand: 529.982.247-25).
GOOD_CPF = "529.982.247-25"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


def identified(**changes: str) -> dict[str, str]:
    """The fields of a valid, identified reclamação, with ``changes`` applied."""
    fields = {
        "kind": "reclamacao",
        "subject": "Restaurante universitário",
        "description": "O restaurante universitário fechou às 11h sem aviso.",
        "place": "Campus Cuiabá, RU",
        "fact_date": "2026-11-30",
        "name": "Maria da Silva",
        "email": "maria@example.org",
        "phone": "(65) 99999-0000",
        "cpf": GOOD_CPF,
        "consent": "sim",
    }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v != "<omit>"}


def squash(page: str) -> str:
    """The page with every run of white space made one space (as a reader sees it)."""
    return re.sub(r"\s+", " ", page)


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert found, f"no hidden field {name} in the page"
    return html.unescape(found.group(1))


def field_value(page: str, field_id: str) -> str:
    found = re.search(rf'id="{field_id}" name="{field_id}"[^>]*value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else ""


def error_of(page: str, field: str) -> str:
    found = re.search(rf'<p class="wf-erro" id="{field}-erro">(.*?)</p>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))) if found else ""


class Citizen:
    """Fills the form as a browser does: GET (cookie + tokens), wait, POST."""

    def __init__(self, balcao: Balcao) -> None:
        self.balcao = balcao

    async def open_form(self) -> str:
        response = await self.balcao.client.get(FORM)
        assert response.status_code == 200
        return response.text

    async def submit(
        self,
        fields: dict[str, str],
        files: list[tuple[str, bytes, str]] | None = None,
        *,
        wait: float = 10,
        page: str | None = None,
        **overrides: str,
    ) -> Any:
        page = page or await self.open_form()
        data = {
            "_csrf_token": hidden(page, "_csrf_token"),
            "ticket": hidden(page, "ticket"),
            **fields,
            **overrides,
        }
        self.balcao.clock.advance(seconds=wait)
        parts = [("attachments", (n, c, t)) for n, c, t in files or []]
        if not parts:  # a browser always sends the (empty) file field
            parts = [("attachments", ("", b"", "application/octet-stream"))]
        return await self.balcao.client.post(FORM, data=data, files=parts)


@pytest.fixture
def webform_settings() -> dict[str, Any]:
    return {"max_files": 3, "max_file_mb": 1, "rate_limit_per_hour": 5, "min_fill_seconds": 3}


@pytest.fixture
async def app(make_balcao: MakeBalcao, webform_settings: dict[str, Any]) -> Balcao:
    return await make_balcao(
        plugins=[("webform", balcao_webform)],
        settings={"plugins": {"webform": webform_settings}},
    )


@pytest.fixture
def citizen(app: Balcao) -> Citizen:
    return Citizen(app)


async def stored_identity(app: Balcao, protocol: str) -> dict[str, Any]:
    """What the identity vault holds for a case, opened as the core opens it: an anonymous
    report must hold no name, address or number (only the ouvidor's reveal reads it, and it
    refuses anonymous cases outright)."""
    query = text(
        "SELECT i.manifestation_id, i.sealed FROM identities i "
        "JOIN manifestations m ON m.id = i.manifestation_id WHERE m.protocol = :p"
    )
    async with app.desk.database.read() as session:
        row, sealed = (await session.execute(query, {"p": protocol})).one()
    if not sealed:
        return {}
    opened = json.loads(app.desk.sealer("core.identity").open(sealed, row))
    return {k: v for k, v in opened.items() if v}
