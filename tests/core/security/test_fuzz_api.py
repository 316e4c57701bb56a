"""Property-based fuzzing of every operation in ``/schema/openapi.json`` with an ouvidor's
token, valid and invalid input alike: no server error, and every answer's status is one
the document lists for that operation. Bounded (examples per operation, no shrinking) so
the whole run stays near a minute."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from balcao._services.heartbeat import Heartbeat
from balcao.testing import Balcao

EXAMPLES = 10  # per operation and mode: about 700 requests in all
BASE = "http://testserver.local"


async def _seed(balcao: Balcao) -> tuple[str, dict[str, str]]:
    _, auth = await balcao.user("ouvidor")
    await Heartbeat(balcao.desk).beat()  # a worker runs: /ready answers 200, as in service
    await balcao.client.post("/api/v1/units", json={"code": "PRAE", "name": "PRAE"}, headers=auth)
    await balcao.manifestation("Denúncia de assédio no setor", kind="denuncia")
    return (await balcao.manifestation()).protocol, auth


def _strategy(operation: Any, protocol: str) -> st.SearchStrategy[Any]:
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    choices = [operation.as_strategy(generation_mode=mode) for mode in modes]
    if "{protocol}" in operation.path:
        known = {"protocol": protocol}
        choices += [operation.as_strategy(generation_mode=m, path_parameters=known) for m in modes]
    return st.one_of(choices)


def _httpx_arguments(case: Any, auth: dict[str, str]) -> dict[str, Any]:
    sent = case.as_transport_kwargs(base_url=BASE, headers=auth)
    arguments = {k: sent[k] for k in ("method", "url", "headers", "params") if k in sent}
    if "json" in sent:
        arguments["json"] = sent["json"]
    elif isinstance(sent.get("data"), bytes | str):
        arguments["content"] = sent["data"]
    elif "data" in sent or "files" in sent:
        arguments["data"], arguments["files"] = sent.get("data"), sent.get("files")
    return arguments


def _checker(
    client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop, auth: dict[str, str]
) -> Callable[[Any, set[tuple[str, str, int]]], None]:
    def check(case: Any, failures: set[tuple[str, str, int]]) -> None:
        request = client.request(**_httpx_arguments(case, auth))
        response = asyncio.run_coroutine_threadsafe(request, loop).result(timeout=60)
        documented = case.operation.definition.raw.get("responses", {})
        status = response.status_code
        if status >= 500 or (str(status) not in documented and "default" not in documented):
            failures.add((case.operation.method.upper(), case.operation.path, status))

    return check


def _fuzz(schema: Any, protocol: str, check: Callable[..., None]) -> set[tuple[str, str, int]]:
    failures: set[tuple[str, str, int]] = set()
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES * 2,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=_strategy(operation, protocol))
        def run(case: Any) -> None:
            check(case, failures)

        run()
    return failures


async def test_fuzzing_the_api_finds_no_server_error_and_no_undocumented_status(
    full: Balcao,
) -> None:
    protocol, auth = await _seed(full)
    raw = (await full.client.get("/schema/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(raw)
    check = _checker(full.client, asyncio.get_running_loop(), auth)
    failures = await asyncio.to_thread(_fuzz, schema, protocol, check)
    assert sorted(failures) == [], "\n".join(map(str, sorted(failures)))


async def test_the_document_names_the_bearer_scheme_and_the_errors(full: Balcao) -> None:
    raw = (await full.client.get("/schema/openapi.json")).json()
    assert raw["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    reveal = raw["paths"]["/api/v1/manifestations/{protocol}/identity"]["post"]
    assert reveal["security"] == [{"bearer": []}]
    assert {"400", "401", "403", "404", "413"} <= set(reveal["responses"])
    tracking = raw["paths"]["/api/v1/tracking"]["post"]
    assert "security" not in tracking and "429" in tracking["responses"]
    assert "requestBody" in raw["paths"]["/api/v1/units"]["post"]
