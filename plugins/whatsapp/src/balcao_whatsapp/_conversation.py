"""The conversation at the balcão: menu, description, confirmation; after hours, one
automatic reply per closed period; later messages join the open manifestation."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from sqlalchemy.exc import IntegrityError

from balcao import Citizen, Desk, Kind, NewManifestation, Receipt
from balcao_whatsapp import _texts as texts
from balcao_whatsapp._config import WhatsAppConfig
from balcao_whatsapp._incoming import Incoming, MediaRef
from balcao_whatsapp._media import MediaService
from balcao_whatsapp._models import ContactRow
from balcao_whatsapp._store import address_hash, seal

__all__ = ["Conversation"]

log = logging.getLogger("balcao.whatsapp")
CHANNEL = "whatsapp"
STALE = dt.timedelta(hours=24)


class Conversation:
    def __init__(self, config: WhatsAppConfig, media: MediaService) -> None:
        self.config = config
        self.media = media

    async def handle(self, desk: Desk, inc: Incoming) -> None:
        if inc.address is None:
            await self._register(desk, inc, Kind.NAO_CLASSIFICADA, False, [_item(inc)])
            return
        if inc.is_reaction:
            await self._reaction(desk, inc)
            return
        contact = await self._touch(desk, inc)
        await self._release_held(desk, inc, contact)
        current = await desk.find_open_by_address(CHANNEL, inc.address)
        if contact.step == "idle" and current is not None:
            await self._join(desk, current.protocol, inc)
            await self._closed_notice(desk, inc, contact)
            return
        # at any hour the conversation asks before registering: a denúncia must get the
        # choice to stay anonymous before anything identifying is stored
        await self._closed_notice(desk, inc, contact)
        await self._step(desk, inc, contact)

    # -- contact state -------------------------------------------------------------------

    async def _touch(self, desk: Desk, inc: Incoming) -> ContactRow:
        """The contact's row, with the 24-hour window moved to this message's time."""
        assert inc.address is not None
        key = address_hash(desk, inc.address)
        async with desk.database.write() as session:
            row = await session.get(ContactRow, key)
            if row is None:
                row = ContactRow(
                    address_hash=key,
                    step="idle",
                    anonymous=False,
                    draft={},
                    held=[],
                    updated_at=desk.now(),
                )
                session.add(row)
            if row.last_inbound_at is None or inc.at > row.last_inbound_at:
                row.last_inbound_at = inc.at
            await session.flush()
            session.expunge(row)
        return row

    async def _release_held(self, desk: Desk, inc: Incoming, contact: ContactRow) -> None:
        """The window is open again: the replies that only got a template go in full."""
        if not contact.held:
            return
        for item in contact.held:
            text = f"Resposta da ouvidoria (protocolo {item['protocol']}):\n{item['text']}"
            await self._say(desk, inc, f"held:{item['key']}", text, item["protocol"])
        await self._save(desk, contact, held=[])

    async def _save(self, desk: Desk, contact: ContactRow, **values: Any) -> None:
        async with desk.database.write() as session:
            row = await session.get(ContactRow, contact.address_hash)
            assert row is not None
            for name, value in values.items():
                setattr(row, name, value)
                setattr(contact, name, value)
            row.updated_at = desk.now()

    # -- paths ---------------------------------------------------------------------------

    async def _reaction(self, desk: Desk, inc: Incoming) -> None:
        assert inc.address is not None
        current = await desk.find_open_by_address(CHANNEL, inc.address)
        if current is None:
            log.info("reaction without an open manifestation ignored")
            return
        key = f"{inc.wamid}:reaction:{inc.reaction or '-'}"
        await desk.add_message(current.protocol, inc.text, channel=CHANNEL, external_id=key)

    async def _join(self, desk: Desk, protocol: str, inc: Incoming) -> None:
        if inc.media is not None:
            await self.media.attach(desk, protocol, inc.media, inc.text, inc.wamid)
        else:
            await desk.add_message(protocol, inc.text, channel=CHANNEL, external_id=inc.wamid)

    async def _closed_notice(self, desk: Desk, inc: Incoming, contact: ContactRow) -> None:
        if desk.calendar.is_open(inc.at):
            return
        opening = desk.calendar.next_opening(inc.at)
        period = opening.isoformat()
        if contact.closed_notice_for == period:
            return
        await self._save(desk, contact, closed_notice_for=period)
        text = texts.closed_notice(
            desk.calendar.hours_text(),
            desk.calendar.local(opening),
            self._tracking(desk),
            desk.settings.falabr_url,
        )
        await self._say(desk, inc, "closed", text)

    async def _step(self, desk: Desk, inc: Incoming, contact: ContactRow) -> None:
        if contact.step != "idle" and desk.now() - contact.updated_at > STALE:
            # a conversation abandoned half-way: start over, keeping what was written
            await self._start(desk, inc, contact)
            return
        handlers = {
            "idle": self._start,
            "menu": self._menu,
            "identify": self._identify,
            "description": self._description,
        }
        await handlers.get(contact.step, self._start)(desk, inc, contact)

    async def _start(self, desk: Desk, inc: Incoming, contact: ContactRow) -> None:
        items = [*contact.draft.get("items", []), _item(inc)]
        await self._save(
            desk, contact, step="menu", kind=None, anonymous=False, draft={"items": items}
        )
        await self._menu_message(desk, inc, greeting=True)

    async def _menu(self, desk: Desk, inc: Incoming, contact: ContactRow) -> None:
        choice = texts.choice_from(inc.answer) if inc.media is None else None
        if choice is None:
            await self._keep(desk, inc, contact)
            await self._menu_message(desk, inc, greeting=False)
        elif choice == texts.ATTENDANT:
            await self._finish(desk, inc, contact, Kind.NAO_CLASSIFICADA, attendant=True)
        elif choice == Kind.DENUNCIA.value:
            await self._save(desk, contact, step="identify", kind=choice)
            await self._say(
                desk,
                inc,
                "identify",
                texts.identification_prompt(),
                interactive=texts.identification_buttons(),
            )
        else:
            await self._save(desk, contact, step="description", kind=choice)
            await self._say(desk, inc, "describe", texts.description_prompt(_title(choice)))

    async def _identify(self, desk: Desk, inc: Incoming, contact: ContactRow) -> None:
        wants = texts.identification_from(inc.answer)
        if wants is None:
            await self._say(
                desk,
                inc,
                "identify",
                texts.identification_prompt(),
                interactive=texts.identification_buttons(),
            )
            return
        await self._save(desk, contact, step="description", anonymous=not wants)
        await self._say(
            desk,
            inc,
            "describe",
            texts.description_prompt("denúncia identificada" if wants else "denúncia anônima"),
        )

    async def _description(self, desk: Desk, inc: Incoming, contact: ContactRow) -> None:
        await self._keep(desk, inc, contact)
        await self._finish(desk, inc, contact, Kind(contact.kind or Kind.NAO_CLASSIFICADA))

    async def _keep(self, desk: Desk, inc: Incoming, contact: ContactRow) -> None:
        items = [*contact.draft.get("items", []), _item(inc)]
        await self._save(desk, contact, draft={"items": items})

    async def _finish(
        self, desk: Desk, inc: Incoming, contact: ContactRow, kind: Kind, attendant: bool = False
    ) -> None:
        items = contact.draft.get("items", [])
        receipt = await self._register(desk, inc, kind, contact.anonymous, items)
        await self._save(desk, contact, step="idle", kind=None, anonymous=False, draft={})
        if receipt is None:
            return
        tracking = self._tracking(desk)
        if attendant:
            text = texts.attendant_notice(receipt.protocol, receipt.access_code, tracking)
        else:
            text = texts.confirmation(receipt.protocol, receipt.access_code, tracking)
        await self._say(desk, inc, "registered", text, receipt.protocol)

    # -- registration --------------------------------------------------------------------

    async def _register(
        self, desk: Desk, inc: Incoming, kind: Kind, anonymous: bool, items: list[dict[str, Any]]
    ) -> Receipt | None:
        """Register; None when this message was registered already (a replayed event after
        a failure between registering and recording the conversation's state)."""
        lines = [str(i["text"]) for i in items if i.get("text")]
        identified = not anonymous and inc.address is not None
        new = NewManifestation(
            kind=kind,
            channel=CHANNEL,
            description="\n".join(lines) or "(mensagem sem texto)",
            anonymous=anonymous,
            citizen=Citizen(name=inc.name, whatsapp=inc.address) if identified else None,
            channel_address=inc.address if identified else None,
            external_id=inc.wamid or None,
            extra={"whatsapp_messages": [i["wamid"] for i in items]},
        )
        try:
            receipt = await desk.intake(new)
        except IntegrityError:
            log.warning("message %s was registered before: replay ignored", inc.wamid)
            return None
        for item in items:
            if item.get("media"):
                ref = MediaRef(**item["media"])
                await self.media.attach(
                    desk, receipt.protocol, ref, f"[{ref.label}] anexo", f"{item['wamid']}#media"
                )
        return receipt

    # -- saying things -------------------------------------------------------------------

    async def _menu_message(self, desk: Desk, inc: Incoming, greeting: bool) -> None:
        interactive = texts.menu_interactive(greeting) if self.config.interactive_menu else None
        await self._say(desk, inc, "menu", texts.menu_text(greeting), interactive=interactive)

    async def _say(
        self,
        desk: Desk,
        inc: Incoming,
        purpose: str,
        text: str,
        protocol: str | None = None,
        interactive: dict[str, Any] | None = None,
    ) -> None:
        """Queue an automatic message; keyed on the inbound message, so a replayed event
        never sends it twice."""
        if inc.address is None:
            return
        extra: dict[str, Any] = {"to": seal(desk, inc.address)}
        if interactive is not None:
            extra["interactive"] = interactive
        await desk.enqueue(
            CHANNEL,
            idempotency_key=_key(inc.wamid, purpose),
            text=text,
            protocol=protocol,
            kind="bot",
            extra=extra,
        )

    def _tracking(self, desk: Desk) -> str:
        return desk.settings.public_url.rstrip("/") + "/acompanhar"


def _key(wamid: str, purpose: str) -> str:
    key = f"bot:{wamid}:{purpose}"
    # the outbox key column holds 120 characters
    return key if len(key) <= 120 else "bot:" + hashlib.sha256(key.encode()).hexdigest()


def _item(inc: Incoming) -> dict[str, Any]:
    return {
        "wamid": inc.wamid,
        "text": inc.text,
        "media": inc.media.as_dict() if inc.media is not None else None,
    }


def _title(kind: str) -> str:
    return next(title for key, title, _d in texts.MENU if key == kind)
