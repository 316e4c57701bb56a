"""A fake Me-OUV (Fala.BR REST API) on loopback: token, create, query by protocol and date.

It speaks the wire format the real API uses (form-encoded password grant, bearer tokens,
PascalCase JSON, dd/mm/yyyy dates) and can be told to fail: 401 once, 500, 400 with a
message, or a timeout after accepting the request (the duplicate-registration trap).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from balcao.testing import LoopbackServer, read_request, send_json

Send = Callable[[dict[str, Any]], Awaitable[None]]
CREDENTIALS = {
    "client_id": "balcao-ufmt",
    "client_secret": "segredo-do-cliente",
    "username": "ws.ouvidoria",
    "password": "senha-do-webservice",
}


def nup_with_check_digits(first15: str) -> str:
    digits = first15
    for _ in range(2):
        weights = range(len(digits) + 1, 1, -1)
        remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
        digits += str((11 - remainder) % 10)
    return digits


@dataclass
class FakeMeOuv:
    delay_seconds: float = 1.5
    today: dt.date = field(default_factory=dt.date.today)
    created: list[dict[str, Any]] = field(default_factory=list)
    stored: list[dict[str, Any]] = field(default_factory=list)
    tokens_issued: int = 0
    requests: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)
    scripts: dict[str, list[Any]] = field(default_factory=dict)
    situations: dict[str, tuple[str, str]] = field(default_factory=dict)
    _tokens: set[str] = field(default_factory=set)
    url: str = ""

    # -- scripting -------------------------------------------------------------------

    def script(self, endpoint: str, *actions: Any) -> None:
        """Next answers of ``endpoint`` ("token", "create", "query"): 401, 500,
        (400, "message"), "garbage" (not Fala.BR's JSON) or "timeout" (accept, then answer
        too late)."""
        self.scripts.setdefault(endpoint, []).extend(actions)

    def expire_tokens(self) -> None:
        self._tokens.clear()

    def set_situation(self, nup: str, situation: str, deadline: str) -> None:
        self.situations[nup] = (situation, deadline)

    def _next(self, endpoint: str) -> Any:
        queue = self.scripts.get(endpoint) or []
        return queue.pop(0) if queue else None

    # -- ASGI ------------------------------------------------------------------------

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = await read_request(scope, receive)
        self.requests.append((request.method, request.path, request.query))
        status, answer, delay = await self._route(
            request.method, request.path, request.query, request.headers, request.body
        )
        if delay:
            await asyncio.sleep(delay)
        await send_json(send, status, answer)

    async def _route(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[int, Any, float]:
        if (method, path) == ("POST", "/oauth/token"):
            return (*self._token(body), 0.0)
        if path != "/api/manifestacoes":
            return 404, {"Message": "No HTTP resource was found"}, 0.0
        if headers.get("authorization", "").removeprefix("Bearer ") not in self._tokens:
            return 401, {"Message": "Authorization has been denied for this request."}, 0.0
        endpoint = "create" if method == "POST" else "query"
        action = self._next(endpoint)
        if action == 401:
            self._tokens.clear()
            return 401, {"Message": "Authorization has been denied for this request."}, 0.0
        if action == 500:
            return 500, {"Message": "An error has occurred."}, 0.0
        if action == "garbage":  # a proxy's error page instead of Fala.BR's JSON
            return 200, "<html>Service Unavailable</html>", 0.0
        if isinstance(action, tuple):
            return action[0], {"Message": action[1]}, 0.0
        delay = self.delay_seconds if action == "timeout" else 0.0
        if method == "POST":
            return 200, self._create(json.loads(body)), delay
        return (*self._query(query), delay)

    def _token(self, body: bytes) -> tuple[int, Any]:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        action = self._next("token")
        if action == 500:
            return 500, {"Message": "An error has occurred."}
        if form.get("grant_type") != "password" or any(
            form.get(k) != v for k, v in CREDENTIALS.items()
        ):
            return 400, {
                "error": "invalid_grant",
                "error_description": "usuário ou senha inválidos",
            }
        self.tokens_issued += 1
        token = f"token-{self.tokens_issued}"
        self._tokens.add(token)
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": 86399}

    def _create(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.created.append(payload)
        number = len(self.stored) + 1
        nup = nup_with_check_digits(f"23108{number:06d}{self.today.year}")
        item = {
            "IdManifestacao": 5000 + number,
            "NumerosProtocolo": [nup],
            "DataCadastro": self.today.strftime("%d/%m/%Y 10:00:00"),
            "Situacao": {"DescSituacaoManifestacao": "Cadastrada"},
            "PrazoAtendimento": (self.today + dt.timedelta(days=30)).strftime("%d/%m/%Y"),
            "DadosExtraJson": payload.get("DadosExtraJson"),
        }
        self.stored.append(item)
        return {
            "IdManifestacao": item["IdManifestacao"],
            "NumeroProtocolo": nup,
            "CodigoAcesso": f"ACESSO{number:04d}",
            "Links": [{"rel": "self", "href": f"/api/manifestacoes/{item['IdManifestacao']}"}],
        }

    def _query(self, query: dict[str, list[str]]) -> tuple[int, Any]:
        if "NumProtocolo" in query:
            wanted = query["NumProtocolo"][0]
            found = [self._current(i) for i in self.stored if i["NumerosProtocolo"][0] == wanted]
        else:
            start = dt.datetime.strptime(query["DataCadastroInicio"][0], "%d/%m/%Y").date()
            end = dt.datetime.strptime(query["DataCadastroFim"][0], "%d/%m/%Y").date()
            found = [self._current(i) for i in self.stored if start <= _day(i) <= end]
        return (200, found) if found else (404, {"Message": "Nenhuma manifestação encontrada"})

    def _current(self, item: dict[str, Any]) -> dict[str, Any]:
        nup = item["NumerosProtocolo"][0]
        if nup not in self.situations:
            return item
        situation, deadline = self.situations[nup]
        return {
            **item,
            "Situacao": {"DescSituacaoManifestacao": situation},
            "PrazoAtendimento": deadline,
        }


def _day(item: dict[str, Any]) -> dt.date:
    return dt.datetime.strptime(item["DataCadastro"][:10], "%d/%m/%Y").date()


# The fake listens on loopback through the kit's server (a thread with its own loop).
Served = LoopbackServer
