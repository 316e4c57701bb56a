"""Outbound e-mail: one template gives the text and HTML parts; threading headers; a
subject that names the protocol and never the case's text or a person."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from html import escape

from balcao import OutboundMessage, PluginDesk
from balcao_email._config import EmailConfig

__all__ = ["HUMAN_KINDS", "SURVEY_KIND", "Envelope", "compose", "message_id_for"]

HUMAN_KINDS = frozenset({"reply", "complementation"})
SURVEY_KIND = "survey"
_TITLES = {
    "reply": "Resposta da Ouvidoria",
    "complementation": "Pedido de complementação",
    "acknowledgement": "Manifestação recebida",
    "attachment_refused": "Anexo não aceito",
    SURVEY_KIND: "Pesquisa de satisfação",
}


@dataclass(frozen=True)
class Envelope:
    """Where a message goes and which thread it continues."""

    recipient: str
    message_id: str
    references: Sequence[str] = ()
    in_reply_to: str | None = None


def message_id_for(idempotency_key: str, config: EmailConfig) -> str:
    """The same key always gives the same Message-ID, so a retry is the same e-mail."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"balcao.{digest}@{config.domain}"


def compose(
    desk: PluginDesk, config: EmailConfig, message: OutboundMessage, envelope: Envelope
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = formataddr((config.from_name, config.from_address))
    mail["To"] = envelope.recipient
    mail["Subject"] = _subject(message)
    mail["Date"] = format_datetime(desk.now())
    mail["Message-ID"] = f"<{envelope.message_id}>"
    if envelope.in_reply_to:
        mail["In-Reply-To"] = f"<{envelope.in_reply_to}>"
    if envelope.references:
        mail["References"] = " ".join(f"<{i}>" for i in envelope.references[-20:])
    if message.kind not in HUMAN_KINDS:
        mail["Auto-Submitted"] = _automatic(message.kind)
    paragraphs = _paragraphs(desk, config, message)
    mail.set_content("\n\n".join(p for p in paragraphs if p) + "\n")
    mail.add_alternative(_html(paragraphs), subtype="html")
    return mail


def _automatic(kind: str) -> str:
    """RFC 3834: the survey answers no message of the citizen, the others do."""
    return "auto-generated" if kind == SURVEY_KIND else "auto-replied"


def _subject(message: OutboundMessage) -> str:
    title = _TITLES.get(message.kind, "Mensagem da Ouvidoria")
    return f"[Protocolo {message.protocol}] {title}" if message.protocol else f"Ouvidoria: {title}"


def _paragraphs(desk: PluginDesk, config: EmailConfig, message: OutboundMessage) -> list[str]:
    # the survey says itself where to go on; "reply to complement" would mislead there
    follow = "" if message.kind == SURVEY_KIND else _follow(desk, config, message)
    return [message.text.strip(), follow, config.signature.strip()]


def _follow(desk: PluginDesk, config: EmailConfig, message: OutboundMessage) -> str:
    """How to go on: reply to this e-mail; the tracking page for whoever holds an access
    code (citizens of other channels got it on screen; e-mail citizens only if enabled)."""
    if not message.protocol:
        return f"Registre ou acompanhe manifestações em {desk.settings.public_url}."
    text = f"Para complementar a manifestação {message.protocol}, responda a este e-mail."
    if "message_channel" in message.extra or config.send_access_code:
        tracking = desk.settings.public_url.rstrip("/") + "/acompanhar"
        text += f" Acompanhe-a em {tracking} com o protocolo e o código de acesso."
    return text


_LINK = re.compile(r"https?://[^\s<]*[^\s<.,;:!?)]")


def _html(paragraphs: Sequence[str]) -> str:
    blocks = "".join(f"<p>{_html_paragraph(p)}</p>\n" for p in paragraphs if p)
    return f'<!doctype html>\n<html lang="pt-BR"><body>\n{blocks}</body></html>\n'


def _html_paragraph(text: str) -> str:
    """Escaped, with addresses of pages made links (the text part shows them as they are)."""
    linked = _LINK.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escape(text))
    return linked.replace("\n", "<br>\n")
