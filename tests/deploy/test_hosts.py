"""Allowed hosts match the Host header's name with or without a port."""

from __future__ import annotations

from typing import Any

from balcao._web.hosts import host_name


def test_host_names_lose_their_port() -> None:
    assert host_name("127.0.0.1:18799") == "127.0.0.1"
    assert host_name("Ouvidoria.UFMT.br") == "ouvidoria.ufmt.br"
    assert host_name("[::1]:8000") == "::1"
    assert host_name("::1") == "::1"


async def test_allowed_hosts_with_and_without_port(make_balcao: Any) -> None:
    b = await make_balcao(settings={"allowed_hosts": ["127.0.0.1", "*.ufmt.br"]})
    for host, status in (
        ("127.0.0.1:18799", 200),
        ("127.0.0.1", 200),
        ("ouvidoria.ufmt.br:443", 200),
        ("ufmt.br.evil.example", 400),
        ("127.0.0.2:18799", 400),
    ):
        answer = await b.client.get("/health", headers={"Host": host})
        assert answer.status_code == status, host
    refused = await b.client.get("/health", headers={"Host": "evil.example"})
    assert refused.json()["detail"] == "cabeçalho Host não permitido"
