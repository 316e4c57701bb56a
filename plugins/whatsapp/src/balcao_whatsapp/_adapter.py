"""The delivery adapter: free text inside the 24-hour window, the approved template
outside it, Meta's error codes mapped to retry, pause or a clear failure."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select

from balcao import DeliveryFailed, DeliveryReceipt, OutboundMessage, PluginDesk
from balcao_whatsapp._config import WhatsAppConfig
from balcao_whatsapp._graph import GraphClient, GraphError, GraphUnavailable
from balcao_whatsapp._models import SentRow, StateRow
from balcao_whatsapp._store import (
    address_hash,
    find_contact,
    open_address,
    seal_recipient,
    storage,
    unseal,
)
from balcao_whatsapp._texts import Catalogue

__all__ = ["PAUSE_KEY", "WhatsAppAdapter"]

log = logging.getLogger("balcao.whatsapp")
WINDOW = dt.timedelta(hours=24)
PAUSE_KEY = "paused"
_RATE_LIMITS = {4, 80007, 130429, 131048, 131056}
_TRANSIENT = {1, 2, 131000, 131016, 131057}
_TOKEN = {0, 190}
_WINDOW_CLOSED = 131047
_UNSUPPORTED = {131051, 131009, 100}
_REFUSALS = {
    131026: "o número não pode receber mensagens do WhatsApp (131026: sem WhatsApp, "
    "aplicativo desatualizado ou termos não aceitos)",
    131021: "o destinatário é o próprio número do balcão (131021)",
    130403: "o cidadão bloqueou o número do balcão (130403)",
    131049: "o WhatsApp segurou a mensagem para preservar o engajamento; tente em 24 h (131049)",
}
_NO_WINDOW = (
    "fora da janela de 24 horas do WhatsApp e sem modelo aprovado (reply_template): "
    "a resposta está disponível no acompanhamento pela internet"
)


class WhatsAppAdapter:
    """Built once per app by the core; all state lives in the database."""

    def __init__(self, config: WhatsAppConfig, desk: PluginDesk, graph: GraphClient) -> None:
        self.config = config
        self.desk = desk
        self.graph = graph
        self.texts = Catalogue(config.texts)

    async def send(self, message: OutboundMessage) -> DeliveryReceipt:
        if not self.config.access_token or not self.config.phone_number_id:
            raise DeliveryFailed(
                "canal WhatsApp sem access_token/phone_number_id configurados", retryable=False
            )
        done = await self._already_sent(message.idempotency_key)
        if done is not None:
            return DeliveryReceipt(external_id=done)
        await self._check_paused()
        to = self._recipient(message)
        kind, payloads = await self._payloads(message, to)
        wamid = ""
        for number, payload in enumerate(payloads, start=1):
            key = _part_key(message.idempotency_key, number, len(payloads))
            wamid, kind = await self._send_part(message, to, key, kind, payload)
            if kind == "template":
                break  # the window closed: the template stands for the whole text
        if kind == "template" and message.text and "template" not in message.extra:
            # a reply waits for the window to reopen; a question of its own template
            # (the survey) is answered from the template itself
            await self._hold(to, message)
        return DeliveryReceipt(external_id=wamid)

    async def _send_part(
        self, message: OutboundMessage, to: str, key: str, kind: str, payload: dict[str, Any]
    ) -> tuple[str, str]:
        """One message of a (possibly split) text; a part sent before is not sent again,
        so a retry after a failure half-way goes on from where it stopped."""
        done = await self._already_sent(key)
        if done is not None:
            return done, kind
        await self._throttle(to)
        wamid, kind = await self._post(message, to, kind, payload)
        await self._record(message, key, to, wamid, kind)
        return wamid, kind

    # -- before sending --------------------------------------------------------------------

    async def _already_sent(self, key: str) -> str | None:
        async with storage(self.desk).read() as session:
            row = await session.get(SentRow, key)
            return None if row is None else row.wamid

    async def _check_paused(self) -> None:
        async with storage(self.desk).read() as session:
            row = await session.get(StateRow, PAUSE_KEY)
        if row is None:
            return
        until = dt.datetime.fromisoformat(row.value["until"])
        left = (until - self.desk.now()).total_seconds()
        if left > 0:
            raise DeliveryFailed(f"envios pausados: {row.value['reason']}", retry_after=left)

    def _recipient(self, message: OutboundMessage) -> str:
        sealed = message.extra.get("to")
        to = _opened(self.desk, sealed) if sealed else message.recipient
        if not to:
            raise DeliveryFailed(
                "sem número de WhatsApp para responder (manifestação anônima?): "
                "a resposta fica só no acompanhamento",
                retryable=False,
            )
        return to

    async def _throttle(self, to: str) -> None:
        """80 messages/s per number; a few messages a minute per person (pair limit)."""
        second = dt.timedelta(seconds=1)
        number = f"whatsapp:mps:{self.config.phone_number_id}"
        if not await self.desk.allow(number, self.config.messages_per_second, second):
            raise DeliveryFailed("limite de mensagens por segundo do número", retry_after=1)
        pair = f"whatsapp:pair:{address_hash(self.desk, to)}"
        minute = dt.timedelta(minutes=1)
        if not await self.desk.allow(pair, self.config.recipient_messages_per_minute, minute):
            raise DeliveryFailed("limite de mensagens para o mesmo cidadão", retry_after=60)

    async def _payloads(
        self, message: OutboundMessage, to: str
    ) -> tuple[str, list[dict[str, Any]]]:
        if message.kind == "bot":
            interactive = message.extra.get("interactive")
            if interactive and self.config.interactive_menu:
                return "interactive", [_body(to, "interactive", interactive)]
            return "bot", [_text(to, t) for t in self._parts(message)]
        if message.kind != "template" and await self._window_open(to):
            return "reply", [_text(to, t) for t in self._parts(message)]
        return "template", [self._template(to, message)]

    def _parts(self, message: OutboundMessage) -> list[str]:
        """The text in numbered parts within the API's limit; what the ouvidoria says about
        a case opens with its name and the protocol."""
        if message.kind == "bot" or not message.protocol:
            return self.texts.numbered(message.text, None)
        heading = self.texts.heading(self.desk.settings.ouvidoria_name, message.protocol)
        return self.texts.numbered(message.text, heading)

    async def _window_open(self, to: str) -> bool:
        async with storage(self.desk).read() as session:
            contact = await find_contact(session, self.desk, to)
        last = contact.last_inbound_at if contact is not None else None
        return last is not None and self.desk.now() - last < WINDOW

    def _template(self, to: str, message: OutboundMessage) -> dict[str, Any]:
        name = message.extra.get("template") or self.config.reply_template
        if not name:
            raise DeliveryFailed(_NO_WINDOW, retryable=False)
        parameters = [{"type": "text", "text": message.protocol or "-"}]
        return _body(
            to,
            "template",
            {
                "name": name,
                "language": {"code": self.config.reply_template_language},
                "components": [{"type": "body", "parameters": parameters}],
            },
        )

    # -- sending -----------------------------------------------------------------------------

    async def _post(
        self, message: OutboundMessage, to: str, kind: str, payload: dict[str, Any]
    ) -> tuple[str, str]:
        try:
            return await self.graph.send(payload), kind
        except GraphUnavailable as exc:
            raise DeliveryFailed(str(exc)) from exc
        except GraphError as exc:
            return await self._recover(message, to, kind, exc)

    async def _recover(
        self, message: OutboundMessage, to: str, kind: str, exc: GraphError
    ) -> tuple[str, str]:
        """The errors a second, different request can fix; the rest are classified."""
        if exc.code == _WINDOW_CLOSED and kind == "reply":
            await self._close_window(to)
            payload = self._template(to, message)
            return await self._post(message, to, "template", payload)
        if exc.code in _UNSUPPORTED and kind == "interactive":
            return await self._post(message, to, "bot", _text(to, message.text))
        raise await self._failure(message, exc)

    async def _failure(self, message: OutboundMessage, exc: GraphError) -> DeliveryFailed:
        code = exc.code
        if code in _RATE_LIMITS:
            return DeliveryFailed(
                f"limite do WhatsApp ({exc})", retry_after=float(4 ** max(message.attempt - 1, 0))
            )
        if code in _TOKEN:
            await self._pause(f"token do WhatsApp recusado ({exc}); renove access_token")
            return DeliveryFailed(f"token recusado ({exc})", retry_after=self.config.pause_seconds)
        if code in _TRANSIENT or (code is None and exc.status >= 500):
            return DeliveryFailed(f"WhatsApp indisponível ({exc})")
        if code == _WINDOW_CLOSED:
            return DeliveryFailed("janela de 24 horas encerrada (131047)", retryable=False)
        return DeliveryFailed(
            _REFUSALS.get(code or -1, f"WhatsApp recusou ({exc})"), retryable=False
        )

    async def _pause(self, reason: str) -> None:
        log.error("WHATSAPP DELIVERIES PAUSED: %s", reason)
        until = self.desk.now() + dt.timedelta(seconds=self.config.pause_seconds)
        async with storage(self.desk).write() as session:
            row = await session.get(StateRow, PAUSE_KEY)
            value = {
                "until": until.isoformat(),
                "reason": reason,
                "since": (row.value["since"] if row else self.desk.now().isoformat()),
            }
            if row is None:
                session.add(StateRow(key=PAUSE_KEY, value=value, updated_at=self.desk.now()))
            else:
                row.value, row.updated_at = value, self.desk.now()

    async def _close_window(self, to: str) -> None:
        async with storage(self.desk).write() as session:
            contact = await find_contact(session, self.desk, to, rekey=True)
            if contact is not None:
                contact.last_inbound_at = None

    async def _hold(self, to: str, message: OutboundMessage) -> None:
        item = {"key": message.idempotency_key, "text": message.text, "protocol": message.protocol}
        async with storage(self.desk).write() as session:
            contact = await find_contact(session, self.desk, to, rekey=True)
            if contact is not None:
                contact.held = [*(contact.held or []), item]

    async def _record(
        self, message: OutboundMessage, key: str, to: str, wamid: str, kind: str
    ) -> None:
        sent_kind = message.kind
        if key != message.idempotency_key:
            sent_kind = "part"  # an earlier part: its statuses say nothing about the whole
        async with (store := storage(self.desk)).write() as session:
            await store.insert_ignore(
                session,
                SentRow.__table__,
                {
                    "idempotency_key": key,
                    "wamid": wamid,
                    "protocol": message.protocol,
                    "kind": sent_kind,
                    "recipient_sealed": seal_recipient(self.desk, to, key),
                    "text": message.text if kind == "reply" else None,
                    "sent_at": self.desk.now(),
                },
            )

    async def paused(self) -> dict[str, Any] | None:
        async with storage(self.desk).read() as session:
            row = await session.scalars(select(StateRow).where(StateRow.key == PAUSE_KEY))
            found = row.one_or_none()
            return None if found is None else dict(found.value)


def _body(to: str, kind: str, content: dict[str, Any]) -> dict[str, Any]:
    # a business-scoped user id (no phone number) goes in "recipient": in "to" Meta
    # accepts it and silently drops the message
    field = "to" if to.lstrip("+").isdigit() else "recipient"
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        field: to,
        "type": kind,
        kind: content,
    }


def _text(to: str, text: str) -> dict[str, Any]:
    return _body(to, "text", {"preview_url": False, "body": text})


def _part_key(key: str, number: int, total: int) -> str:
    """The last part carries the message's own key: once it is recorded, all were sent."""
    return key if number == total else f"{key}#{number}"


def _opened(desk: PluginDesk, value: str) -> str | None:
    """A queued message's recipient: sealed by the conversation, or plain (the core seals
    the whole outbox payload)."""
    return unseal(desk, value) or open_address(desk, value)
