"""Authorized JSON calls to Google APIs with the error envelope turned into GoogleError,
and short, bounded retries for rate limits and server errors."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from balcao_meet._google._errors import GoogleError
from balcao_meet._google._token import TokenProvider

if TYPE_CHECKING:
    import httpx

__all__ = ["GoogleHttp", "body_of"]

_RATE_REASONS = frozenset(
    {"usageLimits", "rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}
)
_INLINE_WAIT_LIMIT = 2.0


@dataclass
class GoogleHttp:
    """Sends requests with a bearer token; ``ok`` lists statuses the caller handles."""

    tokens: TokenProvider
    timeout: float = 15.0
    attempts: int = 3

    async def call(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
        ok: frozenset[int] = frozenset(),
    ) -> httpx.Response:
        for attempt in range(1, self.attempts + 1):
            response = await self._send(method, url, params, json)
            if response.is_success or response.status_code in ok:
                return response
            error = _error(response)
            if response.status_code == 401 and attempt < self.attempts:
                self.tokens.forget()
                continue
            wait = _inline_wait(error, attempt)
            if wait is None or attempt == self.attempts:
                raise error
            await asyncio.sleep(wait)
        raise GoogleError("tentativas esgotadas", retryable=True)  # pragma: no cover

    async def _send(
        self, method: str, url: str, params: dict[str, str] | None, body: dict[str, Any] | None
    ) -> httpx.Response:
        import httpx  # on the first call to Google: a server that makes none never loads it

        headers = {"Authorization": f"Bearer {await self.tokens.token()}"}
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                return await client.request(method, url, params=params, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise GoogleError(f"Google inacessível: {exc}", retryable=True) from exc


def _inline_wait(error: GoogleError, attempt: int) -> float | None:
    if not error.retryable:
        return None
    wait = error.retry_after if error.retry_after is not None else 0.25 * 2 ** (attempt - 1)
    return wait if wait <= _INLINE_WAIT_LIMIT else None


def _error(response: httpx.Response) -> GoogleError:
    status = response.status_code
    payload = _envelope(response)
    reasons = [str(e.get("reason", "")) for e in payload.get("errors", []) if isinstance(e, dict)]
    reason = reasons[0] if reasons else str(payload.get("status", ""))
    message = str(payload.get("message", "")) or response.reason_phrase
    limited = status == 429 or (status == 403 and bool(_RATE_REASONS.intersection(reasons)))
    return GoogleError(
        f"Google respondeu {status}: {message}",
        status=status,
        reason=reason,
        retryable=limited or status >= 500,
        retry_after=_retry_after(response),
    )


def _envelope(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, dict) else {}


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def body_of(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of a successful answer; anything else is a (retryable) GoogleError."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise GoogleError(f"resposta inesperada do Google ({response.status_code})", retryable=True)
    return data
