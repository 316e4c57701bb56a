"""Every operation of the REST API says what it does: a summary a person reads (not the
handler's name) and a description, in the OpenAPI document the reference is built from."""

from __future__ import annotations

import re
from typing import Any

from balcao.testing import Balcao, installed_plugins

HANDLER_NAME = re.compile(r"^[A-Z][a-z]+(?:[A-Z][a-z]*)+$|^[A-Z][a-z]+$")


async def test_every_operation_has_a_summary_and_a_description(make_balcao: Any) -> None:
    b: Balcao = await make_balcao(plugins=installed_plugins())
    schema = (await b.client.get("/schema/openapi.json")).json()
    operations = [
        (f"{method.upper()} {path}", operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) > 30
    unnamed = [name for name, op in operations if HANDLER_NAME.match(op.get("summary", "X"))]
    undescribed = [name for name, op in operations if len(op.get("description", "")) < 20]
    assert (unnamed, undescribed) == ([], [])


def test_the_check_tells_a_handler_name_from_a_summary() -> None:
    assert HANDLER_NAME.match("AddMessage") and HANDLER_NAME.match("Health")
    assert not HANDLER_NAME.match("Responder ao cidadão ou anotar")
    assert not HANDLER_NAME.match("Vivacidade ")
