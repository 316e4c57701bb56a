"""Access tokens for a service account with domain-wide delegation (JWT bearer flow)."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from balcao_meet._google._errors import GoogleAuthError, GoogleError

# httpx and cryptography (~10 MB resident together) load on the first token request, not
# whenever the plugin is installed
if TYPE_CHECKING:
    import httpx
    from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["SCOPES", "ServiceAccount", "TokenProvider"]

SCOPES = (
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/meetings.space.readonly",
)
# Google checks this audience whatever address the token is fetched from.
_AUDIENCE = "https://oauth2.googleapis.com/token"
_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_EARLY = 300.0
_HINTS = {
    "invalid_grant": "a conta delegada (delegated_user) não existe no Workspace ou a chave "
    "foi revogada",
    "unauthorized_client": "a delegação em todo o domínio não autoriza este client ID com "
    "os escopos pedidos (Admin Console > Segurança > Controles de API)",
}


@dataclass(frozen=True)
class ServiceAccount:
    """The parts of a service-account key file that sign the assertion."""

    email: str
    key_id: str
    private_key: rsa.RSAPrivateKey

    @classmethod
    def load(cls, path: str) -> ServiceAccount:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            key = serialization.load_pem_private_key(data["private_key"].encode(), None)
        except (OSError, ValueError, KeyError) as exc:
            raise GoogleAuthError(
                f"service_account_file {path!r} ilegível ({exc}); baixe de novo a chave JSON "
                "da conta de serviço"
            ) from exc
        if not isinstance(key, rsa.RSAPrivateKey):
            raise GoogleAuthError(f"service_account_file {path!r}: a chave não é RSA")
        return cls(data["client_email"], data.get("private_key_id", ""), key)

    def assertion(self, subject: str, scopes: tuple[str, ...], now: float) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        header = {"alg": "RS256", "typ": "JWT", "kid": self.key_id}
        claims = {
            "iss": self.email,
            "sub": subject,
            "scope": " ".join(scopes),
            "aud": _AUDIENCE,
            "iat": int(now),
            "exp": int(now) + 3600,
        }
        signing_input = f"{_b64(header)}.{_b64(claims)}".encode()
        signature = self.private_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input.decode()}.{_b64bytes(signature)}"


@dataclass
class TokenProvider:
    """Caches one token and refreshes it a few minutes before it expires."""

    account_file: str
    subject: str
    token_url: str
    timeout: float = 15.0
    _token: str = ""
    _expires: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _account: ServiceAccount | None = None

    async def token(self) -> str:
        async with self._lock:
            if not self._token or time.time() >= self._expires - _EARLY:
                await self._refresh()
            return self._token

    def forget(self) -> None:
        """Drop the cached token (after a 401)."""
        self._token = ""

    async def _refresh(self) -> None:
        import httpx

        if self._account is None:
            self._account = ServiceAccount.load(self.account_file)
        now = time.time()
        body = {
            "grant_type": _GRANT,
            "assertion": self._account.assertion(self.subject, SCOPES, now),
        }
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(self.token_url, data=body)
        except httpx.HTTPError as exc:
            raise GoogleError(f"servidor de tokens inacessível: {exc}", retryable=True) from exc
        data = _json(response)
        if response.status_code != 200 or "access_token" not in data:
            raise _token_error(response.status_code, data)
        self._token = str(data["access_token"])
        self._expires = now + float(data.get("expires_in", 3600))


def _token_error(status: int, data: dict[str, Any]) -> GoogleError:
    error = str(data.get("error", "")) or f"HTTP {status}"
    description = str(data.get("error_description", ""))
    if status >= 500 or error == "internal_failure":
        return GoogleError(f"token: {error} {description}".strip(), status=status, retryable=True)
    hint = _HINTS.get(error, "confira a conta de serviço e a delegação")
    return GoogleAuthError(
        f"o Google recusou a conta de serviço: {error} {description} ({hint})".strip(),
        status=status,
        reason=error,
    )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _b64(value: dict[str, Any]) -> str:
    return _b64bytes(json.dumps(value, separators=(",", ":")).encode())


def _b64bytes(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
