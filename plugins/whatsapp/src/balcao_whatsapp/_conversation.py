"""The conversation at the balcão, driven by the steps in ``_flow``: each inbound message is
one :class:`Turn`; later messages join the person's open manifestation."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from sqlalchemy import select

from balcao import Citizen, DuplicateMessage, Kind, NewManifestation, PluginDesk, Receipt
from balcao_whatsapp import _flow as flow
from balcao_whatsapp import _wording as wording
from balcao_whatsapp._config import WhatsAppConfig
from balcao_whatsapp._incoming import Incoming, MediaRef
from balcao_whatsapp._media import MediaService
from balcao_whatsapp._models import ContactRow
from balcao_whatsapp._store import find_contact, message_digest, seal, seal_address, storage, unseal
from balcao_whatsapp._survey import reply as survey_reply
from balcao_whatsapp._texts import Catalogue
from balcao_whatsapp._tracking import Tracking

__all__ = ["Conversation"]

log = logging.getLogger("balcao.whatsapp")
CHANNEL = "whatsapp"
STALE = dt.timedelta(hours=24)


class Conversation:
    """What the plugin keeps between messages: configuration, texts, media."""

    def __init__(self, config: WhatsAppConfig, media: MediaService) -> None:
        self.config = config
        self.media = media
        self.texts = Catalogue(config.texts)

    async def handle(self, desk: PluginDesk, inc: Incoming) -> None:
        if inc.address is None:
            await self._unaddressed(desk, inc)
        elif inc.is_reaction:
            await self._reaction(desk, inc)
        else:
            contact = await _touch(desk, inc)
            await self._release_held(desk, inc, contact)
            await Turn(self, desk, contact, inc).run()

    async def _unaddressed(self, desk: PluginDesk, inc: Incoming) -> None:
        """No address to answer to: the message is kept for the staff, anonymously."""
        items = [_item(inc)]
        await register(self, desk, Draft(None, None, items), Kind.NAO_CLASSIFICADA, False)

    async def _reaction(self, desk: PluginDesk, inc: Incoming) -> None:
        assert inc.address is not None
        current = await desk.find_open_by_address(CHANNEL, inc.address)
        if current is None:
            log.info("reaction without an open manifestation ignored")
            return
        key = f"{inc.wamid}:reaction:{inc.reaction or '-'}"
        await desk.add_message(current.protocol, inc.text, channel=CHANNEL, external_id=key)

    async def _release_held(self, desk: PluginDesk, inc: Incoming, contact: ContactRow) -> None:
        """The window is open again: the replies that only got a template go in full."""
        if not contact.held:
            return
        assert inc.address is not None
        for item in contact.held:
            await desk.enqueue(
                CHANNEL,
                idempotency_key=_key(inc.wamid, f"held:{item['key']}"),
                text=item["text"],
                protocol=item["protocol"],
                kind="notification",
                extra={"to": seal(desk, inc.address)},
                ordering_key=f"{CHANNEL}:{contact.address_hash}",
            )
        await _save(desk, contact, held=[])

    async def close_paused(self, desk: PluginDesk) -> None:
        """The periodic job: descriptions left without "pronto" are registered."""
        cutoff = desk.now() - dt.timedelta(minutes=self.config.pause_minutes)
        query = select(ContactRow).where(
            ContactRow.step == "describe", ContactRow.updated_at < cutoff
        )
        async with storage(desk).read() as session:
            waiting = list((await session.scalars(query.limit(50))).all())
        for contact in waiting:
            await Turn(self, desk, contact, None).finish()


class Draft:
    """What a conversation collected so far, and where to answer (sealed)."""

    def __init__(self, to: str | None, name: str | None, items: list[dict[str, Any]]) -> None:
        self.to, self.name, self.items = to, name, items

    @property
    def has_content(self) -> bool:
        return any(i.get("text") or i.get("media") for i in self.items)

    @property
    def last_wamid(self) -> str:
        return str(self.items[-1]["wamid"]) if self.items else ""


class Turn:
    """One inbound message (or a paused description, ``inc`` None) and its answer."""

    def __init__(
        self,
        conversation: Conversation,
        desk: PluginDesk,
        contact: ContactRow,
        inc: Incoming | None,
    ) -> None:
        self.conv, self.desk, self.contact, self.inc = conversation, desk, contact, inc
        self.texts = conversation.texts
        self.memo: dict[str, Any] = dict(contact.draft or {})

    # -- dispatch ------------------------------------------------------------------------

    async def run(self) -> None:
        inc = self.inc
        assert inc is not None
        if self.contact.step != "idle" and self.desk.now() - self.contact.updated_at > STALE:
            await self._save(step="idle")  # abandoned half-way: start over, keeping the text
        command = flow.command_of(inc.answer) if inc.media is None else None
        if await survey_reply(self):
            return
        if inc.unsupported:
            await self.unsupported()
        elif command is not None:
            await getattr(self, f"command_{command}")()
        elif self.contact.step == "idle":
            await self.idle()
        elif flow.protocol_in(inc.answer) and self.contact.step in ("menu", "track"):
            await self.track(inc.answer)
        else:
            await getattr(self, f"at_{self.contact.step}", self.idle)()

    async def idle(self) -> None:
        inc = self.inc
        assert inc is not None
        assert inc.address is not None
        if flow.protocol_in(inc.answer):
            await self.track(inc.answer)
            return
        current = await self.desk.find_open_by_address(CHANNEL, inc.address)
        if current is None:
            await self.start()
            return
        await self.join(current.protocol)
        when = self._when()
        text = self.texts.say("follow_up", protocol=current.protocol, when=when)
        await self.say("follow_up", text, again=True)

    async def start(self) -> None:
        inc = self.inc
        assert inc is not None
        assert inc.address is not None
        chosen = None if inc.media else flow.choose(flow.STEPS["menu"], inc.answer)
        items = [*self.memo.get("items", []), *([] if chosen else self._content())]
        # the name waits for the person's choice: a denúncia may end up anonymous
        self.memo = {"items": items, "to": seal(self.desk, inc.address)}
        await self._save(step="menu", kind=None, anonymous=False)
        await self.say("greeting", self._greeting())
        option = chosen or (None if inc.media else flow.intent(inc.answer))
        await (self.choose(option) if option else self.prompt("menu"))

    def _greeting(self) -> str:
        desk = self.desk
        privacy = self.conv.config.privacy_url or desk.settings.public_url.rstrip("/") + (
            "/channels/webform/#privacidade"
        )
        hours = wording.hours_text(desk.calendar)
        parts = [
            self.texts.say(
                "greeting", ouvidoria=desk.settings.ouvidoria_name, hours=hours,
                privacy_url=privacy,
            )
        ]  # fmt: skip
        if not desk.calendar.is_open(self._at()):
            parts.append(self._closed())
        if self.inc is not None and flow.speaks_other_language(self.inc.answer):
            parts.append(self.texts.say("language_hint"))
        return "\n\n".join(parts)

    def _closed(self) -> str:
        calendar, at = self.desk.calendar, self._at()
        reopens = wording.when_text(calendar, calendar.next_opening(at))
        reason = wording.closed_reason(calendar, at)
        if reason is None:
            return self.texts.say("closed_now", reopens=reopens)
        kind, name, until = reason
        if kind == "holiday":
            return self.texts.say("closed_holiday", reason=name, reopens=reopens)
        return self.texts.say(
            "closed_recess", reason=name, until=wording.day_text(until), reopens=reopens
        )

    def _when(self) -> str:
        calendar, at = self.desk.calendar, self._at()
        if calendar.is_open(at):
            return self.texts.say("when_open", hours=wording.hours_text(calendar))
        reopens = wording.when_text(calendar, calendar.next_opening(at))
        return self.texts.say("when_closed", reopens=reopens)

    # -- steps ---------------------------------------------------------------------------

    async def at_menu(self) -> None:
        inc = self.inc
        assert inc is not None
        option = None if inc.media else flow.choose(flow.STEPS["menu"], inc.answer)
        if option is not None:
            await self.choose(option)
            return
        # free text is kept for the description, whether or not it names an option
        await self.keep()
        option = flow.intent(inc.answer) if inc.media is None else None
        await (self.choose(option) if option else self.prompt("menu", again=True))

    async def choose(self, option: flow.Option) -> None:
        if option.id == flow.ATTENDANT:
            await self.command_atendente()
        elif option.id == flow.TRACK:
            await self.command_acompanhar()
        elif option.id == Kind.DENUNCIA.value:
            await self._save(kind=option.id)
            await self.enter("identify")
        else:
            self._identified()
            await self._save(kind=option.id)
            await self.enter("describe")

    def _identified(self) -> None:
        """The person chose a path that identifies them: their profile name may be kept."""
        if self.inc is not None and self.inc.name:
            self.memo["name"] = seal(self.desk, self.inc.name)

    async def at_identify(self) -> None:
        inc = self.inc
        assert inc is not None
        wants = None if inc.media else flow.identification(inc.answer)
        if wants is None:
            await self.keep()
            await self.prompt("identify", again=True)
            return
        if wants:
            self._identified()
        else:
            self.memo.pop("name", None)  # an anonymous report keeps no name, even sealed
        await self._save(anonymous=not wants)
        await self.enter("describe")

    async def at_describe(self) -> None:
        inc = self.inc
        assert inc is not None
        option = None if inc.media else flow.choose(flow.STEPS["describe"], inc.answer)
        if option is not None and option.id == flow.DONE:
            await self.finish()
            return
        await self.keep()
        got = self.texts.say("describe_got")
        await self.say("describe_got", got, again=True, interactive=self._buttons("describe", got))

    async def at_track(self) -> None:
        await self.prompt("track", again=True)

    # -- commands ------------------------------------------------------------------------

    async def command_menu(self) -> None:
        if self.contact.step == "idle":
            await self.start()
            return
        await self._save(kind=None, anonymous=False)
        await self.enter("menu")

    async def command_voltar(self) -> None:
        step = self.contact.step
        if step in ("idle", "menu"):
            await self.command_menu()
            return
        resume = self.memo.pop("resume", None) if step == "track" else None
        await self.enter(
            resume if resume and resume != "idle" else self._back(flow.STEPS[step].back)
        )

    def _back(self, name: str) -> str:
        step = flow.STEPS[name]
        if step.only_for and step.only_for != self.contact.kind:
            return self._back(step.back)
        return name

    async def command_cancelar(self) -> None:
        if self.contact.step == "idle":
            await self.say("cancel", self.texts.say("nothing_to_cancel"))
            return
        self.memo = {}
        await self._save(step="idle", kind=None, anonymous=False)
        await self.say("cancel", self.texts.say("cancelled"))

    async def command_atendente(self) -> None:
        if self.contact.kind == Kind.DENUNCIA.value and self.contact.step != "idle":
            await self._attendant_in_denuncia()
            return
        assert self.inc is not None
        assert self.inc.address is not None
        current = await self.desk.find_open_by_address(CHANNEL, self.inc.address)
        if current is not None and self.contact.step == "idle":
            text = self.texts.say("follow_up", protocol=current.protocol, when=self._when())
            await self.say("follow_up", text)
            return
        self._identified()
        await self.finish(Kind.NAO_CLASSIFICADA, attendant=True)

    async def _attendant_in_denuncia(self) -> None:
        if self.contact.anonymous:
            await self.say("attendant", self.texts.say("attendant_anonymous"))
            return
        await self._save(step="identify")
        text = self.texts.say("attendant_denuncia")
        await self.say("identify", text, interactive=self._buttons("identify", text))

    async def command_acompanhar(self) -> None:
        inc = self.inc
        assert inc is not None
        assert inc.address is not None
        mine = await Tracking(self.desk, self.texts).own_cases(inc.address)
        ask = self.texts.say("track_ask")
        if self.contact.step != "track":
            self.memo["resume"] = self.contact.step
        await self._save(step="track")
        await self.say("prompt:track", f"{mine}\n\n{ask}" if mine else ask)

    async def track(self, text: str) -> None:
        inc = self.inc
        assert inc is not None
        assert inc.address is not None
        answer = await Tracking(self.desk, self.texts).answer(inc.address, text)
        if answer is None:
            await self.command_acompanhar()
            return
        resume = self.memo.pop("resume", None) or "idle"
        await self._save(step=resume if self.contact.step == "track" else self.contact.step)
        await self.say("tracked", answer)

    async def unsupported(self) -> None:
        inc = self.inc
        assert inc is not None
        assert inc.address is not None
        current = await self.desk.find_open_by_address(CHANNEL, inc.address)
        if current is not None and self.contact.step == "idle":
            await self.join(current.protocol)
        await self.say("unsupported", self.texts.say("unsupported", what=inc.unsupported))

    # -- registering ---------------------------------------------------------------------

    async def finish(self, kind: Kind | None = None, attendant: bool = False) -> None:
        draft = self._draft()
        if not draft.has_content and not attendant:
            if self.inc is None:  # a pause with nothing described: the draft is dropped
                await self._save(step="idle", kind=None, anonymous=False)
                return
            await self.say("describe_empty", self.texts.say("describe_empty"))
            return
        kind = kind or Kind(self.contact.kind or Kind.NAO_CLASSIFICADA)
        anonymous = bool(self.contact.anonymous) and kind is Kind.DENUNCIA
        receipt = await register(self.conv, self.desk, draft, kind, anonymous, attendant)
        self.memo = {}
        await self._save(step="idle", kind=None, anonymous=False)
        if receipt is not None:
            await self._confirm(receipt, kind, draft, attendant)

    async def _confirm(self, receipt: Receipt, kind: Kind, draft: Draft, attendant: bool) -> None:
        if receipt.access_code is None:
            # nothing the balcão keeps may tie the number to the report: no protocol on
            # the outgoing message, no message id (it carries the number) in its key
            source = _message_id(self.desk, draft.last_wamid, anonymous=True)
            text = self.texts.say("registered_anonymous")
            await self.say("registered", text, to=draft.to, source=source)
            return
        if attendant:
            text = self.texts.say(
                "attendant", when=self._when(), protocol=receipt.protocol, code=receipt.access_code
            )
        else:
            text = await self._registered(receipt, kind)
        await self.say(
            "registered", text, protocol=receipt.protocol, to=draft.to, source=draft.last_wamid
        )

    async def _registered(self, receipt: Receipt, kind: Kind) -> str:
        deadlines = await self.desk.deadlines(receipt.protocol)
        due = wording.day_text(deadlines[0].due_on) if deadlines else "o prazo legal"
        settings = self.desk.settings
        return self.texts.say(
            "registered",
            kind=kind.label.lower(),
            protocol=receipt.protocol,
            code=receipt.access_code,
            tracking_url=settings.public_url.rstrip("/") + "/acompanhar",
            due=due,
            falabr_url=settings.falabr_url,
        )

    # -- the draft -----------------------------------------------------------------------

    def _content(self) -> list[dict[str, Any]]:
        """This message as a draft item, unless it is only a command or a choice."""
        inc = self.inc
        if inc is None:
            return []
        if inc.media is None and (flow.is_small_talk(inc.text) or flow.command_of(inc.answer)):
            return []
        return [_item(inc)]

    async def keep(self) -> None:
        self.memo["items"] = [*self.memo.get("items", []), *self._content()]
        await self._save()

    async def join(self, protocol: str) -> None:
        inc = self.inc
        assert inc is not None
        if inc.media is not None:
            await self.conv.media.attach(self.desk, protocol, inc.media, inc.text, inc.wamid)
        else:
            await self.desk.add_message(protocol, inc.text, channel=CHANNEL, external_id=inc.wamid)

    def _draft(self) -> Draft:
        """The draft; a conversation that skipped the start (e.g. "atendente" typed at once)
        takes the address and name from this message."""
        to = self.memo.get("to") or self._sealed_sender()
        return Draft(to, self.memo.get("name"), self.memo.get("items", []))

    async def _save(self, **values: Any) -> None:
        await _save(self.desk, self.contact, draft=dict(self.memo), **values)

    # -- saying things -------------------------------------------------------------------

    async def enter(self, step: str) -> None:
        await self._save(step=step)
        await self.prompt(step)

    async def prompt(self, name: str, again: bool = False) -> None:
        """What a step asks; asked again only once a burst of messages is over."""
        key = "menu_again" if again and name == "menu" else flow.STEPS[name].prompt
        if name == "describe":
            key += self._describe_kind()
        text = self.texts.say(key, pause=self.conv.config.pause_minutes)
        step = flow.STEPS[name]
        interactive = None
        if step.widget == "list" and self.conv.config.interactive_menu:
            interactive = self._list(text)
        elif step.widget == "buttons":
            interactive = self._buttons(name, text)
        if step.widget == "list":
            text = (
                text
                + "\n"
                + "\n".join(f"{n}. {o.title}" for n, o in enumerate(step.options, start=1))
            )
        await self.say(f"prompt:{name}", text, again=again, interactive=interactive)

    def _describe_kind(self) -> str:
        if self.contact.kind == Kind.DENUNCIA.value and self.contact.anonymous:
            return "comunicacao"
        return self.contact.kind or Kind.RECLAMACAO.value

    def _list(self, body: str) -> dict[str, Any]:
        rows = [
            {"id": f"menu:{o.id}", "title": f"{n}. {o.title}", "description": o.description}
            for n, o in enumerate(flow.MENU, start=1)
        ]
        return {
            "type": "list",
            "body": {"text": body},
            "footer": {"text": self.texts.say("menu_footer")},
            "action": {
                "button": self.texts.say("menu_button"),
                "sections": [{"title": "Opções", "rows": rows}],
            },
        }

    def _buttons(self, step: str, body: str) -> dict[str, Any]:
        buttons = [
            {"type": "reply", "reply": {"id": o.id, "title": self.texts.say(o.title)[:20]}}
            for o in flow.STEPS[step].options
        ]
        return {"type": "button", "body": {"text": body[:1024]}, "action": {"buttons": buttons}}

    async def say(
        self,
        purpose: str,
        text: str,
        *,
        again: bool = False,
        protocol: str | None = None,
        interactive: dict[str, Any] | None = None,
        to: str | None = None,
        source: str | None = None,
    ) -> None:
        """Queue an automatic message, keyed on the inbound message so a replayed event
        never sends it twice; ``again``: not within a burst of the same prompt."""
        if again and self._prompted_recently(purpose):
            return
        address = to or self.memo.get("to") or self._sealed_sender()
        if address is None:
            return
        extra: dict[str, Any] = {"to": address}
        if interactive is not None:
            extra["interactive"] = interactive
        source = source or (self.inc.wamid if self.inc is not None else "")
        await self.desk.enqueue(
            CHANNEL,
            idempotency_key=_key(source, purpose),
            text=text,
            protocol=protocol,
            kind="bot",
            extra=extra,
            # one conversation's messages reach the person in the order they were written
            ordering_key=f"{CHANNEL}:{self.contact.address_hash}",
        )
        self._remember_prompt(purpose)
        await _save(self.desk, self.contact, draft=dict(self.memo))

    def _sealed_sender(self) -> str | None:
        inc = self.inc
        return seal(self.desk, inc.address) if inc is not None and inc.address else None

    def _prompted_recently(self, purpose: str) -> bool:
        last = self.memo.get("prompted", {})
        if last.get("purpose") != purpose or not last.get("at"):
            return False
        elapsed = self._at() - dt.datetime.fromisoformat(last["at"])
        return elapsed.total_seconds() < self.conv.config.burst_seconds

    def _remember_prompt(self, purpose: str) -> None:
        self.memo["prompted"] = {"purpose": purpose, "at": self._at().isoformat()}

    def _at(self) -> dt.datetime:
        return self.inc.at if self.inc is not None else self.desk.now()


# -- registration ------------------------------------------------------------------------


async def register(
    conv: Conversation,
    desk: PluginDesk,
    draft: Draft,
    kind: Kind,
    anonymous: bool,
    attendant: bool = False,
) -> Receipt | None:
    """Register; None when this draft was registered already (a replayed event after a
    failure between registering and recording the conversation's state). An anonymous
    report is registered without the name or the number."""
    lines = [str(i["text"]) for i in draft.items if i.get("text")]
    address = unseal(desk, draft.to) if draft.to and not anonymous else None
    name = unseal(desk, draft.name) if draft.name and address else None
    fallback = "Pediu para falar com um atendente." if attendant else "(mensagem sem texto)"
    ids = [_message_id(desk, str(i["wamid"]), anonymous) for i in draft.items]
    new = NewManifestation(
        kind=kind,
        channel=CHANNEL,
        description="\n".join(lines) or fallback,
        anonymous=anonymous,
        citizen=Citizen(name=name, whatsapp=address) if address else None,
        channel_address=address,
        external_id=ids[-1] if ids else None,
        extra={} if anonymous else {"whatsapp_messages": ids},
    )
    try:
        receipt = await desk.intake(new)
    except DuplicateMessage:
        log.warning("message %s was registered before: replay ignored", draft.last_wamid)
        return None
    await _attach_all(conv, desk, receipt.protocol, draft, anonymous)
    return receipt


def _message_id(desk: PluginDesk, wamid: str, anonymous: bool) -> str:
    """A message id to record; an anonymous report keeps only a keyed digest, since a
    WhatsApp message id carries the sender's number (base64) inside it."""
    return "anon:" + message_digest(desk, wamid)[:48] if anonymous else wamid


async def _attach_all(
    conv: Conversation, desk: PluginDesk, protocol: str, draft: Draft, anonymous: bool
) -> None:
    for item in draft.items:
        if item.get("media"):
            ref = MediaRef(**item["media"])
            note = f"[{ref.label}] anexo"
            source = _message_id(desk, str(item["wamid"]), anonymous)
            await conv.media.attach(desk, protocol, ref, note, f"{source}#media")


# -- contact state -----------------------------------------------------------------------


async def _touch(desk: PluginDesk, inc: Incoming) -> ContactRow:
    """The contact's row, with the 24-hour window moved to this message's time."""
    assert inc.address is not None
    async with storage(desk).write() as session:
        row = await find_contact(session, desk, inc.address, rekey=True)
        if row is None:
            key = desk.sealer("whatsapp.contact").digest(inc.address)
            row = ContactRow(
                address_hash=key, address_sealed=seal_address(desk, inc.address, key),
                step="idle", anonymous=False, draft={}, held=[], updated_at=desk.now(),
            )  # fmt: skip
            session.add(row)
        if row.last_inbound_at is None or inc.at > row.last_inbound_at:
            row.last_inbound_at = inc.at
        await session.flush()
        session.expunge(row)
    return row


async def _save(desk: PluginDesk, contact: ContactRow, **values: Any) -> None:
    async with storage(desk).write() as session:
        row = await session.get(ContactRow, contact.address_hash)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
            setattr(contact, name, value)
        row.updated_at = desk.now()
        contact.updated_at = row.updated_at


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
