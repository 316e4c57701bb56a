"""``POST /channels/email/inbound``: a mail gateway hands over one raw message; it is stored
before the answer, and a message seen before is acknowledged without being stored again."""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.response import Response

from balcao import PluginDesk
from balcao_email._config import EmailConfig
from balcao_email._notify import CHANNEL
from balcao_email._parse import message_key

__all__ = ["route_handlers"]

_MB = 1024 * 1024

_OPT = {"exclude_from_csrf": True}


async def inbound(
    request: Request[Any, Any, Any],
    desk: NamedDependency[PluginDesk],
    config: NamedDependency[EmailConfig],
) -> Response[dict[str, Any]]:
    """One raw RFC 5322 message (``message/rfc822``), bearer ``inbound_token``."""
    if not config.inbound_token:
        return _error(503, "entrada por gateway desativada: configure inbound_token")
    if not _authorized(request.headers.get("authorization", ""), config.inbound_token):
        return _error(401, "token do gateway ausente ou inválido")
    body = await _read(request, config.max_message_mb * _MB)
    if body is None:
        return _error(413, f"mensagem maior que {config.max_message_mb} MB")
    if not body.strip():
        return _error(400, "corpo vazio: envie a mensagem bruta (message/rfc822)")
    stored = await desk.persist_inbound(CHANNEL, message_key(body), body)
    return Response({"stored": stored, "duplicate": not stored}, status_code=202)


async def _read(request: Request[Any, Any, Any], limit: int) -> bytes | None:
    """The body, or None as soon as it passes ``limit`` (not read to its end)."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _authorized(header: str, token: str) -> bool:
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def _error(status: int, detail: str) -> Response[dict[str, Any]]:
    return Response({"status_code": status, "detail": detail}, status_code=status)


route_handlers = [
    # the size limit is ``max_message_mb``, checked while reading with an answer in pt-BR
    post(
        "/inbound",
        summary="Receber uma mensagem do gateway de e-mail",
        description=(
            "Uma mensagem RFC 5322 crua (`message/rfc822`), com o `inbound_token` como "
            "token Bearer; responde 202 com `stored` e `duplicate`. Uma mensagem com "
            "Message-ID já recebido é confirmada e não é guardada de novo."
        ),
        opt=_OPT,
        status_code=202,
        media_type="application/json",
        request_max_body_size=None,
    )(inbound)
]
