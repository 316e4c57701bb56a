"""One raw RFC 5322 message read into what the channel needs: who, what, which thread,
whether a person wrote it, and its files."""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parseaddr

from balcao import IncomingFile
from balcao_email._html import html_to_text
from balcao_email._trim import trim

__all__ = ["Mail", "message_key", "parse"]

_IDS = re.compile(r"<([^<>\s]+)>")
_PROTOCOL = re.compile(r"\[\s*protocolo\s+(\d{4}-\d{6})\s*\]", re.IGNORECASE)
_DIAGNOSTIC = re.compile(r"^(diagnostic-code|status):\s*(.+)$", re.IGNORECASE | re.MULTILINE)
_AUTOMATIC_PRECEDENCE = {"bulk", "list", "junk", "auto_reply"}


@dataclass
class Mail:
    """What a message says, decoded."""

    message_id: str | None
    sender: str
    sender_name: str
    recipients: list[str]
    subject: str
    references: list[str]
    text: str
    files: list[IncomingFile] = field(default_factory=list)
    automatic: bool = False
    list_id: str | None = None
    bounce: bool = False
    bounced_ids: list[str] = field(default_factory=list)
    diagnostic: str = ""

    @property
    def subject_protocol(self) -> str | None:
        found = _PROTOCOL.search(self.subject)
        return found.group(1) if found else None


def parse(raw: bytes) -> Mail:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    name, sender = parseaddr(str(message.get("from", "")))
    body = _body(message)
    mail = Mail(
        message_id=_first_id(message.get("message-id")),
        sender=sender.strip().lower(),
        sender_name=name.strip(),
        recipients=_recipients(message),
        subject=" ".join(str(message.get("subject", "")).split()),
        references=_ids(message.get("in-reply-to")) + _ids(message.get("references")),
        text=trim(body),
        files=_files(message),
        automatic=_automatic(message),
        list_id=_list_id(message),
    )
    if message.get_content_type() == "multipart/report":
        mail.bounce, mail.automatic = True, True
        mail.bounced_ids, mail.diagnostic = _report(message)
    return mail


def message_key(raw: bytes) -> str:
    """The deduplication key of a raw message: its Message-ID, else a hash of its bytes."""
    header = BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    found = _first_id(header.get("message-id"))
    return f"mid:{found}" if found else "sha256:" + hashlib.sha256(raw).hexdigest()


def _ids(value: object) -> list[str]:
    return _IDS.findall(str(value or ""))


def _first_id(value: object) -> str | None:
    found = _ids(value)
    return found[0][:250] if found else None


def _recipients(message: EmailMessage) -> list[str]:
    headers = ("to", "cc", "delivered-to", "x-original-to", "envelope-to")
    values = [str(v) for h in headers for v in message.get_all(h, [])]
    return [address.lower() for _name, address in getaddresses(values) if address]


def _automatic(message: EmailMessage) -> bool:
    """Written by a program: an auto-reply, a bounce, bulk mail (mailing lists apart)."""
    auto = str(message.get("auto-submitted", "no")).strip().lower()
    precedence = str(message.get("precedence", "")).strip().lower()
    return (
        auto != "no"
        or precedence in _AUTOMATIC_PRECEDENCE - {"list"}
        or any(h in message for h in ("x-autoreply", "x-autorespond"))
        or parseaddr(str(message.get("from", "")))[1].lower().startswith("mailer-daemon@")
    )


def _list_id(message: EmailMessage) -> str | None:
    """The mailing list a message came through (``List-Id``), if any."""
    value = str(message.get("list-id", "")).strip()
    if not value:
        return "unnamed" if str(message.get("precedence", "")).strip().lower() == "list" else None
    found = _IDS.findall(value)
    return (found[0] if found else value).lower()


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _decoded(part)
    return html_to_text(text) if part.get_content_subtype() == "html" else text.strip()


def _decoded(part: Message) -> str:
    """The part's text in its declared charset; an unknown charset read as Latin-1, so no
    message is lost to a label."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload())
    charset = part.get_content_charset() or "us-ascii"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("latin-1")


def _files(message: EmailMessage) -> list[IncomingFile]:
    """Attachments and inline images; a forwarded message comes as a ``.eml`` file."""
    found: list[IncomingFile] = []
    for part in _leaves(message):
        filename = part.get_filename()
        inline_image = part.get_content_maintype() == "image"
        if not (filename or inline_image or part.get_content_disposition() == "attachment"):
            continue
        content = _content(part)
        name = filename or f"anexo-{len(found) + 1}{_suffix(part)}"
        found.append(
            IncomingFile(filename=name, content=content, declared_type=part.get_content_type())
        )
    return found


def _leaves(message: Message) -> list[Message]:
    if message.get_content_type() == "message/rfc822":
        return [message]
    if not message.is_multipart():
        return []
    leaves: list[Message] = []
    for part in message.get_payload():
        assert isinstance(part, Message)
        if part.is_multipart() or part.get_content_type() == "message/rfc822":
            leaves += _leaves(part) if part.is_multipart() else [part]
        else:
            leaves.append(part)
    return leaves


def _content(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) else inner
        return inner.as_bytes() if isinstance(inner, Message) else b""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _suffix(part: Message) -> str:
    return {"message/rfc822": ".eml", "text/plain": ".txt"}.get(part.get_content_type(), "")


def _report(message: EmailMessage) -> tuple[list[str], str]:
    """The Message-IDs a delivery report is about, and the server's reason."""
    ids: list[str] = []
    diagnostic = ""
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("message/rfc822", "text/rfc822-headers"):
            ids += _ids(re.findall(r"(?im)^message-id:\s*(.+)$", _raw_text(part)))
        elif kind == "message/delivery-status":
            found = {k.lower(): v.strip() for k, v in _DIAGNOSTIC.findall(_raw_text(part))}
            diagnostic = found.get("diagnostic-code") or found.get("status", "")
    return ids + _ids(message.get("in-reply-to")), diagnostic


def _raw_text(part: Message) -> str:
    """The part as text with folded header lines unfolded."""
    return re.sub(r"\r?\n[ \t]+", " ", part.as_string())
