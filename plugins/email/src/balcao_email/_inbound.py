"""One stored raw message processed: a new manifestation, a citizen's reply joining its
case, a bounce marking a delivery failed, or an automatic message left alone."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import msgspec

from balcao import (
    AttachmentRejected,
    Citizen,
    IncomingFile,
    InvalidManifestation,
    Kind,
    NewManifestation,
    PluginDesk,
    Receipt,
    safe_filename,
)
from balcao_email._adapter import seal_address
from balcao_email._config import EmailConfig
from balcao_email._notify import CHANNEL
from balcao_email._parse import Mail, parse
from balcao_email._redact import without_addresses
from balcao_email._threads import UNNAMED, by_ids, find, record, talks_to

__all__ = ["InboundProcessor"]

log = logging.getLogger("balcao.email")
_MAX_TEXT = 19_000
_ORIGINAL = "mensagem-original.eml"


@dataclass
class InboundProcessor:
    """``ChannelSpec.inbound``: called by the worker with each stored message."""

    config: EmailConfig

    async def __call__(self, raw: bytes, desk: PluginDesk) -> None:
        mail = parse(raw)
        if mail.bounce:
            await _bounced(desk, mail)
        elif not self._from_a_person(mail):
            log.info("automatic, list or self-sent message %s left alone", mail.message_id)
        elif mail.message_id and await find(desk, mail.message_id) is not None:
            log.info("message %s was already processed", mail.message_id)
        else:
            await self._person(desk, mail, raw)

    def _from_a_person(self, mail: Mail) -> bool:
        own = mail.sender == self.config.from_address.lower()
        listed = not self.config.accepts_list(mail.list_id)
        return bool(mail.sender) and not (mail.automatic or listed or own)

    async def _person(self, desk: PluginDesk, mail: Mail, raw: bytes) -> None:
        protocol, mention = await self._thread(desk, mail)
        files = list(mail.files)
        if not await self._denuncia(desk, mail, protocol):
            # its headers name the sender: a denunciante's identity stays in the vault only
            files.append(IncomingFile(filename=_ORIGINAL, content=raw))
        try:
            receipt, refused = await self._register(desk, mail, files, protocol, mention)
        except InvalidManifestation as exc:
            log.warning("message %s not registered: %s", mail.message_id, exc)
            return
        # remembered before anything is sent: a retry of this event registers nothing twice;
        # a message without Message-ID is remembered by its hash (it still names the address)
        known_as = mail.message_id or UNNAMED + hashlib.sha256(raw).hexdigest()
        await record(desk, known_as, receipt.protocol, "in", mail.sender, CHANNEL)
        if protocol is None:
            await self._acknowledge(desk, receipt)
        for rejection in refused:
            await _tell_refused(desk, receipt.protocol, mail.sender, rejection)

    async def _register(
        self,
        desk: PluginDesk,
        mail: Mail,
        files: list[IncomingFile],
        protocol: str | None,
        mention: str | None,
    ) -> tuple[Receipt, list[AttachmentRejected]]:
        """Joined to ``protocol`` (no new access code), or a new manifestation."""
        if protocol is not None:
            return Receipt(protocol=protocol, access_code=None), await _join(
                desk, protocol, mail, files
            )
        return await self._new(desk, mail, files, mention)

    async def _thread(self, desk: PluginDesk, mail: Mail) -> tuple[str | None, str | None]:
        """The open case this message answers (from its own address), else which protocol
        the new manifestation should mention."""
        known = await by_ids(desk, mail.references)
        protocol = known.protocol if known is not None else mail.subject_protocol
        if protocol is None:
            return None, None
        try:
            case = await desk.get(protocol)
        except LookupError:
            return None, None
        if case.state.is_open and await talks_to(desk, protocol, mail.sender):
            return protocol, None
        return None, protocol

    async def _new(
        self, desk: PluginDesk, mail: Mail, files: list[IncomingFile], mention: str | None
    ) -> tuple[Receipt, list[AttachmentRejected]]:
        text = _text(mail, files)
        if mention:
            text = f"Em referência ao protocolo {mention}.\n\n{text}"
        new = NewManifestation(
            kind=self._kind(mail),
            channel=CHANNEL,
            description=text,
            subject=_subject(mail),
            citizen=Citizen(name=mail.sender_name or None, email=mail.sender),
            channel_address=mail.sender,
            external_id=mail.message_id,
            extra={"mentions": mention} if mention else {},
        )
        refused: list[AttachmentRejected] = []
        while True:
            try:
                return await desk.intake(_with_files(new, files)), refused
            except AttachmentRejected as exc:
                files = _without(files, exc, refused)

    async def _denuncia(self, desk: PluginDesk, mail: Mail, protocol: str | None) -> bool:
        if protocol is not None:
            return (await desk.get(protocol)).kind is Kind.DENUNCIA
        return self._kind(mail) is Kind.DENUNCIA

    def _kind(self, mail: Mail) -> Kind:
        if any(self.config.is_denuncia_address(a) for a in mail.recipients):
            return Kind.DENUNCIA
        return self.config.default_kind

    async def _acknowledge(self, desk: PluginDesk, receipt: Receipt) -> None:
        protocol, code = receipt.protocol, receipt.access_code
        text = (
            f"Recebemos sua mensagem e registramos a manifestação com o protocolo {protocol}. "
            "A ouvidoria responderá por este endereço."
        )
        if code and self.config.send_access_code:
            text += f"\n\nCódigo de acesso para o acompanhamento: {code}"
        await desk.enqueue(
            CHANNEL,
            idempotency_key=f"email-ack:{protocol}",
            text=text,
            protocol=protocol,
            kind="acknowledgement",
        )


async def _join(
    desk: PluginDesk, protocol: str, mail: Mail, files: list[IncomingFile]
) -> list[AttachmentRejected]:
    refused: list[AttachmentRejected] = []
    while True:
        try:
            await desk.add_message(
                protocol,
                _text(mail, files),
                channel=CHANNEL,
                external_id=mail.message_id,
                files=files,
            )
        except AttachmentRejected as exc:
            files = _without(files, exc, refused)
            continue
        return refused


def _without(
    files: list[IncomingFile], rejected: AttachmentRejected, refused: list[AttachmentRejected]
) -> list[IncomingFile]:
    """Drop the refused file; the original message is kept only when it fits the limits."""
    if rejected.filename != safe_filename(_ORIGINAL):
        refused.append(rejected)
    kept = [f for f in files if safe_filename(f.filename) != rejected.filename]
    if len(kept) == len(files):
        raise rejected  # not one of ours: never loop
    return kept


def _with_files(new: NewManifestation, files: Sequence[IncomingFile]) -> NewManifestation:
    return msgspec.structs.replace(new, files=tuple(files))


def _text(mail: Mail, files: Sequence[IncomingFile]) -> str:
    text = mail.text[:_MAX_TEXT]
    if text:
        return text
    attached = len(files) > 1
    return "(mensagem sem texto; veja os anexos)" if attached else "(mensagem sem texto)"


def _subject(mail: Mail) -> str:
    return mail.subject[:300]


async def _tell_refused(
    desk: PluginDesk, protocol: str, sender: str, rejected: AttachmentRejected
) -> None:
    await desk.enqueue(
        CHANNEL,
        idempotency_key=f"email-refused:{protocol}:{rejected.filename}",
        text=(
            f"O anexo {rejected.filename} não foi aceito ({rejected.reason}). A mensagem foi "
            f"registrada sem ele no protocolo {protocol}; envie o arquivo em outro formato "
            "ou tamanho respondendo a este e-mail."
        ),
        protocol=protocol,
        kind="attachment_refused",
        extra={"to_sealed": seal_address(desk, sender)},
    )


async def _bounced(desk: PluginDesk, mail: Mail) -> None:
    """A delivery report about one of our messages: that delivery failed."""
    for message_id in mail.bounced_ids:
        sent = await find(desk, message_id)
        if sent is None or sent.direction != "out":
            continue
        reason = without_addresses(mail.diagnostic) or "mensagem devolvida pelo servidor"
        await desk.update_delivery(
            sent.channel, message_id, "failed", f"e-mail devolvido: {reason}"
        )
