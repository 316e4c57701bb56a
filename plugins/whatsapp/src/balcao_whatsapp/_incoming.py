"""An inbound WhatsApp message reduced to what the conversation needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from balcao_whatsapp._texts import media_label, render
from balcao_whatsapp._wire import Contact, Media, Message

__all__ = ["Incoming", "MediaRef", "from_message"]

MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")


@dataclass(frozen=True)
class MediaRef:
    """Where to fetch a media file: its id lives 7 days at Meta."""

    media_type: str
    media_id: str | None
    mime_type: str | None
    sha256: str | None
    filename: str | None
    url: str | None
    file_size: int | None
    label: str

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Incoming:
    wamid: str
    address: str | None
    name: str | None
    at: dt.datetime
    text: str
    answer: str
    media: MediaRef | None = None
    reaction: str | None = None
    is_reaction: bool = False
    # a type the conversation cannot read (sticker, shared contact, ...): how to name it
    unsupported: str | None = None


def from_message(message: Message, contact: Contact | None, now: dt.datetime) -> Incoming:
    """Normalize any message type; unknown types become an "unsupported" entry."""
    address = message.sender or message.from_user_id
    if contact is not None:
        address = address or contact.wa_id or contact.user_id
    name = contact.profile.name if contact and contact.profile else None
    text, answer = _text(message)
    return Incoming(
        wamid=message.id or "",
        address=address,
        name=name,
        at=_when(message.timestamp, now),
        text=text,
        answer=answer,
        media=_media(message),
        reaction=message.reaction.emoji if message.reaction else None,
        is_reaction=message.type == "reaction",
        unsupported=_unsupported(message, text),
    )


def _when(timestamp: str | int | None, now: dt.datetime) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(int(timestamp), dt.UTC) if timestamp else now
    except (TypeError, ValueError, OverflowError):
        return now


def _text(message: Message) -> tuple[str, str]:
    """(what staff read, what the menu parser reads)."""
    kind = message.type or "unknown"
    if kind == "text" and message.text is not None:
        body = message.text.body or ""
        return body, body
    if kind in MEDIA_TYPES and (media := getattr(message, kind)) is not None:
        label = media_label(kind, media.voice)
        return render(label, media.caption), media.caption or ""
    if kind == "interactive" and message.interactive is not None:
        reply = message.interactive.list_reply or message.interactive.button_reply
        if reply is not None:
            return reply.title or reply.id or "", reply.id or reply.title or ""
    if kind == "button" and message.button is not None:
        return message.button.text or "", message.button.payload or message.button.text or ""
    if kind == "location" and message.location is not None:
        return _location(message), ""
    if kind == "reaction" and message.reaction is not None:
        emoji = message.reaction.emoji
        return (f"Reagiu com {emoji} a uma mensagem" if emoji else "Removeu a reação"), ""
    return render("unsupported", kind), ""


_UNREADABLE = {"sticker": "figurinhas", "contacts": "contatos compartilhados"}


def _unsupported(message: Message, text: str) -> str | None:
    """How to name a message the conversation cannot read; None for the ones it can."""
    kind = message.type or "unknown"
    if kind in _UNREADABLE:
        return _UNREADABLE[kind]
    return "esse tipo de mensagem" if text.startswith("[Mensagem não suportada") else None


def _location(message: Message) -> str:
    place = message.location
    assert place is not None
    parts = [f"{place.latitude}, {place.longitude}", place.name or "", place.address or ""]
    return render("Localização", " — ".join(p for p in parts if p))


def _media(message: Message) -> MediaRef | None:
    kind = message.type or ""
    media: Media | None = getattr(message, kind, None) if kind in MEDIA_TYPES else None
    if media is None:
        return None
    return MediaRef(
        media_type=kind,
        media_id=media.id,
        mime_type=media.mime_type,
        sha256=media.sha256,
        filename=media.filename,
        url=media.url,
        file_size=_size(media.file_size),
        label=media_label(kind, media.voice),
    )


def _size(value: int | str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
