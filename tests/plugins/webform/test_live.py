"""Against a real server on 127.0.0.1 (the test client has no IP address): the client
address used by the rate limit, behind a trusted proxy or not."""

from __future__ import annotations

from pathlib import Path

import httpx

from .live import serve

API = "/channels/webform/api/manifestations"
BODY = {
    "kind": "elogio",
    "subject": "Atendimento",
    "description": "Fui muito bem atendida na secretaria do curso.",
    "citizen": {"name": "Ana", "email": "ana@example.org"},
    "consent": True,
}


def _post(url: str, client_address: str) -> int:
    answer = httpx.post(url + API, json=BODY, headers={"x-forwarded-for": client_address})
    return answer.status_code


def test_forwarded_address_counts_only_behind_a_trusted_proxy(tmp_path: Path) -> None:
    with serve(tmp_path / "trusted", {"rate_limit_per_hour": "1"}, trusted="127.0.0.1/32") as url:
        assert [_post(url, "198.51.100.1"), _post(url, "198.51.100.2")] == [201, 201]
        assert _post(url, "198.51.100.2") == 429


def test_forwarded_address_is_ignored_from_an_untrusted_peer(tmp_path: Path) -> None:
    with serve(tmp_path / "direct", {"rate_limit_per_hour": "1"}) as url:
        assert _post(url, "198.51.100.1") == 201
        assert _post(url, "198.51.100.2") == 429  # same peer, whatever the header says
