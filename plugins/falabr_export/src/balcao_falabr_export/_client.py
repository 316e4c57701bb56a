"""A small Me-OUV (Fala.BR REST API) client: OAuth2 password grant, create, queries."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import TYPE_CHECKING, Any

import msgspec

from balcao_falabr_export._config import FalabrConfig

# httpx (~2 MB resident) loads on the first call to Fala.BR, not when the server starts
if TYPE_CHECKING:
    import httpx

__all__ = [
    "Created",
    "FalabrError",
    "FalabrRejected",
    "FalabrUnavailable",
    "MeOuvClient",
    "Summary",
    "summarize",
]

log = logging.getLogger("balcao.falabr_export")
_TOKENS: dict[tuple[str, str, str], str] = {}
_MESSAGE_KEYS = ("Message", "message", "Mensagem", "mensagem", "error_description", "error")


class FalabrError(Exception):
    """Fala.BR did not do what was asked; the message is for the staff member."""


class FalabrRejected(FalabrError):
    """A 4xx answer: retrying the same request will not help."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class FalabrUnavailable(FalabrError):
    """5xx, timeout or network failure: retry later. ``ambiguous`` when the request may
    have been accepted (a timeout after sending), so a retry must look before re-sending."""

    def __init__(self, message: str, *, ambiguous: bool = False) -> None:
        super().__init__(message)
        self.ambiguous = ambiguous


class Created(msgspec.Struct, frozen=True, kw_only=True):
    falabr_id: int | None
    nup: str
    access_code: str | None


class Summary(msgspec.Struct, frozen=True, kw_only=True):
    """What the plugin reads from a manifestação found on Fala.BR."""

    falabr_id: int | None
    nup: str | None
    situation: str | None
    deadline: dt.date | None
    extra: str


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or f"HTTP {response.status_code}"
    if isinstance(body, dict):
        for key in _MESSAGE_KEYS:
            if isinstance(body.get(key), str) and body[key].strip():
                return str(body[key]).strip()[:300]
    return json.dumps(body, ensure_ascii=False)[:300]


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise FalabrUnavailable(
            f"resposta ilegível do Fala.BR (HTTP {response.status_code})"
        ) from exc


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    day = value.strip().split(" ")[0].split("T")[0]
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(day, pattern).date()
        except ValueError:
            continue
    return None


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def _nup_of(item: dict[str, Any]) -> str | None:
    numbers = item.get("NumerosProtocolo")
    if isinstance(numbers, list) and numbers:
        return str(numbers[0])
    value = item.get("NumProtocolo") or item.get("NumeroProtocolo")
    return str(value) if value else None


def summarize(item: dict[str, Any]) -> Summary:
    """The NUP, situação and deadline of a ``DadosBasicosManifestacaoDTO``."""
    situation = item.get("Situacao")
    if isinstance(situation, dict):
        situation = situation.get("DescSituacaoManifestacao")
    raw_id = item.get("IdManifestacao")
    return Summary(
        falabr_id=_int(raw_id),
        nup=_nup_of(item),
        situation=str(situation) if situation else None,
        deadline=_date(item.get("PrazoAtendimento")),
        extra=str(item.get("DadosExtraJson") or ""),
    )


class MeOuvClient:
    """One use of the API; the bearer token is shared between uses until it is refused."""

    def __init__(self, config: FalabrConfig) -> None:
        self.config = config
        self._key = (config.root, config.client_id, config.username)

    async def __aenter__(self) -> MeOuvClient:
        import httpx

        self._http = httpx.AsyncClient(
            base_url=self.config.root, timeout=self.config.timeout_seconds
        )
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._http.aclose()

    async def _token(self, fresh: bool = False) -> str:
        if not fresh and self._key in _TOKENS:
            return _TOKENS[self._key]
        form = {
            "grant_type": "password",
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret,
            "username": self.config.username,
            "password": self.config.password,
        }
        response = await self._send("POST", "/oauth/token", data=form)
        if response.status_code >= 400:
            raise FalabrRejected(
                "Fala.BR recusou as credenciais do WebService (client_id, client_secret, "
                f"username, password): {_message(response)}",
                response.status_code,
            )
        body = _json(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise FalabrUnavailable("Fala.BR não devolveu access_token")
        _TOKENS[self._key] = str(token)
        return str(token)

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        import httpx

        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise FalabrUnavailable(
                f"Fala.BR não respondeu em {self.config.timeout_seconds:g} s",
                ambiguous=method == "POST",
            ) from exc
        except httpx.TransportError as exc:
            raise FalabrUnavailable(f"Fala.BR inacessível: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise FalabrUnavailable(
                f"Fala.BR com erro {response.status_code}: {_message(response)}"
            )
        return response

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Authenticated call; a 401 fetches a new token and tries once more."""
        headers = {"Authorization": f"Bearer {await self._token()}"}
        response = await self._send(method, path, headers=headers, **kwargs)
        if response.status_code == 401:
            log.info("Fala.BR token refused; requesting a new one")
            headers = {"Authorization": f"Bearer {await self._token(fresh=True)}"}
            response = await self._send(method, path, headers=headers, **kwargs)
        if response.status_code >= 400 and response.status_code != 404:
            raise FalabrRejected(f"Fala.BR recusou: {_message(response)}", response.status_code)
        return response

    async def create(self, payload: dict[str, Any]) -> Created:
        response = await self._call("POST", "/api/manifestacoes", json=payload)
        body = _json(response)
        nup = (body.get("NumeroProtocolo") or _nup_of(body)) if isinstance(body, dict) else None
        if response.status_code == 404 or not nup:
            raise FalabrUnavailable(f"resposta inesperada do Fala.BR: {_message(response)}")
        return Created(
            falabr_id=_int(body.get("IdManifestacao")),
            nup=str(nup),
            access_code=body.get("CodigoAcesso"),
        )

    async def _list(self, params: dict[str, str]) -> list[dict[str, Any]]:
        response = await self._call("GET", "/api/manifestacoes", params=params)
        if response.status_code == 404:
            return []
        body = _json(response)
        if isinstance(body, dict):
            body = body.get("Manifestacoes") or body.get("items") or [body]
        return [item for item in body if isinstance(item, dict)]

    async def by_protocol(self, nup: str) -> Summary | None:
        found = await self._list({"NumProtocolo": nup})
        return summarize(found[0]) if found else None

    async def by_reference(self, protocol: str, start: dt.date, end: dt.date) -> Summary | None:
        """A manifestação we registered earlier, found by our protocol in ``DadosExtraJson``."""
        params = {
            "DataCadastroInicio": start.strftime("%d/%m/%Y"),
            "DataCadastroFim": end.strftime("%d/%m/%Y"),
        }
        for item in await self._list(params):
            summary = summarize(item)
            if _mentions(summary.extra, protocol):
                return summary
        return None


def _mentions(extra: str, protocol: str) -> bool:
    try:
        data = json.loads(extra) if extra else {}
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("ProtocoloBalcao") == protocol
