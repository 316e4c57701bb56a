"""``GET/POST /channels/whatsapp/webhook``: Meta's handshake, and the notifications, which
the core stores before it acknowledges them (``WEBHOOK``: this module checks the signature and
splits a notification into its events)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Mapping
from typing import Any

import msgspec
from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Response

from balcao import InboundItem, PluginDesk, WebhookRefusal, WebhookSpec, error_responses
from balcao_whatsapp._config import WhatsAppConfig
from balcao_whatsapp._signature import valid_signature
from balcao_whatsapp._store import address_hash
from balcao_whatsapp._wire import (
    Contact,
    MessageKey,
    Notification,
    StatusKey,
    StoredEvent,
    Value,
)

__all__ = ["WEBHOOK", "route_handlers", "split"]

_OPT = {"exclude_from_csrf": True}


@get(
    "/webhook",
    summary="Verificação do webhook",
    description=(
        "A verificação da Meta: devolve `hub.challenge` quando "
        "`hub.verify_token` confere com a configuração; 403 caso contrário."
    ),
    opt=_OPT,
    media_type="text/plain",
    responses=error_responses(403),
)
async def handshake(
    request: Request[Any, Any, Any], config: NamedDependency[WhatsAppConfig]
) -> Response[str]:
    """Meta's verification request: echo ``hub.challenge`` when the token matches."""
    query = request.query_params
    token, challenge = query.get("hub.verify_token") or "", query.get("hub.challenge")
    ok = (
        bool(config.verify_token)
        and query.get("hub.mode") == "subscribe"
        and challenge is not None
        and hmac.compare_digest(token.encode(), config.verify_token.encode())
    )
    if not ok:
        return Response("token de verificação inválido", status_code=403)
    return Response(challenge or "", status_code=200)


def check(config: WhatsAppConfig, headers: Mapping[str, str], body: bytes) -> WebhookRefusal | None:
    """Meta signs the raw bytes with the app secret (``X-Hub-Signature-256``)."""
    if not config.app_secret:
        return WebhookRefusal(503, "canal WhatsApp sem app_secret configurado")
    if not valid_signature(config.app_secret, body, headers.get("x-hub-signature-256")):
        return WebhookRefusal(401, "assinatura X-Hub-Signature-256 ausente ou inválida")
    return None


def items(body: bytes, config: WhatsAppConfig, desk: PluginDesk) -> Iterator[InboundItem]:
    """Every message and status of a notification; a message's ordering key is its sender's
    lookup hash, so that one person's messages are processed one at a time and in order."""
    try:
        parts = list(_parts(body))
    except msgspec.DecodeError as exc:  # not JSON, or not a notification
        raise ValueError(str(exc)) from exc
    for key, event, sender in parts:
        yield InboundItem(key, event, address_hash(desk, sender) if sender else None)


WEBHOOK = WebhookSpec(
    path="/webhook",
    check=check,
    items=items,
    summary="Receber eventos do WhatsApp",
    description=(
        "Confere a assinatura `X-Hub-Signature-256` sobre os bytes recebidos, "
        "guarda cada evento e só então responde 200 com `received` e `new`; o "
        "processamento acontece depois, no worker."
    ),
    refusal_statuses=(401, 503),
)


def split(body: bytes) -> Iterator[tuple[str, bytes]]:
    """Each message and status of a notification, with its deduplication key."""
    return ((key, event) for key, event, _ in _parts(body))


def _parts(body: bytes) -> Iterator[tuple[str, bytes, str | None]]:
    """Each item's key, stored form and, for a message, its sender's address: the ordering
    key, so that one person's messages are processed one at a time and in order."""
    notification = msgspec.json.decode(body, type=Notification)
    for entry in notification.entry:
        for change in entry.changes:
            if change.field not in (None, "messages") or change.value is None:
                continue
            yield from _items(change.value)


def _items(value: Value) -> Iterator[tuple[str, bytes, str | None]]:
    number = value.metadata.phone_number_id if value.metadata else None
    for raw in value.messages:
        message = _message(raw)
        contacts = _senders(value.contacts, message)
        sender = (message.sender or message.from_user_id) if message else None
        yield _message_key(raw, message), _encode("message", number, contacts, raw), sender
    for raw in value.statuses:
        yield _status_key(raw), _encode("status", number, [], raw), None


def _message(raw: msgspec.Raw) -> MessageKey | None:
    try:
        return msgspec.json.decode(raw, type=MessageKey)
    except msgspec.ValidationError:
        return None


def _message_key(raw: msgspec.Raw, message: MessageKey | None) -> str:
    if message is None or not message.id:
        return _hashed(raw)
    if message.type == "reaction" and message.reaction is not None:
        # adding and removing a reaction share the message id
        return f"reaction:{message.id}:{message.reaction.emoji or '-'}"
    return f"message:{message.id}"


def _senders(contacts: list[msgspec.Raw], message: MessageKey | None) -> list[msgspec.Raw]:
    """Only the sender's contact entry is stored with a message: a batch may carry other
    people's names and numbers, which this message's processing does not need."""
    if len(contacts) <= 1 or message is None:
        return contacts
    try:
        ids = [msgspec.json.decode(c, type=Contact) for c in contacts]
    except msgspec.ValidationError:
        return contacts
    sender = {message.sender, message.from_user_id} - {None}
    return [c for c, k in zip(contacts, ids, strict=True) if sender & {k.wa_id, k.user_id}]


def _status_key(raw: msgspec.Raw) -> str:
    try:
        status = msgspec.json.decode(raw, type=StatusKey)
    except msgspec.ValidationError:
        return _hashed(raw)
    return f"status:{status.id}:{status.status}" if status.id else _hashed(raw)


def _hashed(raw: msgspec.Raw) -> str:
    return "raw:" + hashlib.sha256(bytes(raw)).hexdigest()


def _encode(kind: str, number: str | None, contacts: list[msgspec.Raw], raw: msgspec.Raw) -> bytes:
    return msgspec.json.encode(
        StoredEvent(kind=kind, phone_number_id=number, contacts=contacts, item=raw)
    )


route_handlers = [handshake]
