"""A small async client for the Graph API calls the channel needs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from balcao_whatsapp._config import WhatsAppConfig
from balcao_whatsapp._wire import ErrorInfo, MediaInfo

# httpx (~2 MB resident) loads on the first call to Meta, not when the server starts
if TYPE_CHECKING:
    import httpx

__all__ = ["GraphClient", "GraphError", "GraphUnavailable", "MediaTooLarge"]


class GraphError(Exception):
    """The Graph API refused a call; ``code`` is Meta's error code (build logic on it)."""

    def __init__(self, code: int | None, details: str, status: int) -> None:
        super().__init__(f"({code}) {details}")
        self.code = code
        self.details = details
        self.status = status


class GraphUnavailable(Exception):
    """A timeout, a transport error or a 5xx: worth trying again later."""


class MediaTooLarge(Exception):
    """A media file above ``max_media_mb``."""


class _ErrorBody(msgspec.Struct):
    error: ErrorInfo | None = None


class _SendResult(msgspec.Struct):
    class _Id(msgspec.Struct):
        id: str | None = None

    messages: list[_Id] = []


class GraphClient:
    """Each call opens its own connection: volumes are low and nothing leaks across loops."""

    def __init__(self, config: WhatsAppConfig) -> None:
        self.config = config

    def _client(self) -> httpx.AsyncClient:
        import httpx

        return httpx.AsyncClient(
            timeout=self.config.timeout_seconds,
            headers={"Authorization": f"Bearer {self.config.access_token}"},
        )

    async def send(self, payload: dict[str, Any]) -> str:
        """POST /{phone-number-id}/messages; returns the new message's wamid."""
        url = f"{self.config.base_url}/{self.config.phone_number_id}/messages"
        response = await self._request("POST", url, json=payload)
        try:
            result = msgspec.json.decode(response.content, type=_SendResult)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise GraphUnavailable(f"resposta de envio ilegível: {exc}") from exc
        if not result.messages or not result.messages[0].id:
            raise GraphUnavailable("resposta do envio sem id de mensagem")
        return result.messages[0].id

    async def media_info(self, media_id: str) -> MediaInfo:
        url = f"{self.config.base_url}/{media_id}"
        params = {"phone_number_id": self.config.phone_number_id}
        response = await self._request("GET", url, params=params)
        try:
            return msgspec.json.decode(response.content, type=MediaInfo)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise GraphUnavailable(f"resposta de mídia ilegível: {exc}") from exc

    async def download(self, url: str) -> bytes:
        """The media bytes (with the token, as Meta requires), refused above the size limit."""
        import httpx

        limit = self.config.max_media_mb * 1024 * 1024
        try:
            async with self._client() as client, client.stream("GET", url) as response:
                if response.status_code >= 400:
                    await response.aread()
                    _raise_for(response)
                return await _read_limited(response, limit)
        except httpx.HTTPError as exc:
            raise GraphUnavailable(f"download falhou: {type(exc).__name__}") from exc

    async def check_token(self) -> None:
        """A cheap authenticated read; raises when the token is still refused."""
        await self._request("GET", f"{self.config.base_url}/{self.config.phone_number_id}")

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        import httpx

        try:
            async with self._client() as client:
                response = await client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise GraphUnavailable(f"Graph API inacessível: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            _raise_for(response)
        return response


async def _read_limited(response: httpx.Response, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise MediaTooLarge(f"arquivo maior que {limit // (1024 * 1024)} MB")
        chunks.append(chunk)
    return b"".join(chunks)


def _raise_for(response: httpx.Response) -> None:
    try:
        error = msgspec.json.decode(response.content, type=_ErrorBody).error
    except (msgspec.ValidationError, msgspec.DecodeError):
        error = None
    if error is not None and error.code is not None:
        raise GraphError(error.code, error.describe(), response.status_code)
    if response.status_code >= 500 or response.status_code == 429:
        raise GraphUnavailable(f"Graph API respondeu {response.status_code}")
    raise GraphError(None, f"HTTP {response.status_code}", response.status_code)
