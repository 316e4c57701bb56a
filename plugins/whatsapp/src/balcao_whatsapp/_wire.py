"""The Cloud API's wire formats as msgspec structs; every field Meta may omit is optional."""

from __future__ import annotations

import msgspec

__all__ = [
    "Change",
    "Contact",
    "Entry",
    "ErrorInfo",
    "Interactive",
    "Media",
    "MediaInfo",
    "Message",
    "MessageKey",
    "Notification",
    "Profile",
    "Status",
    "StoredEvent",
]


class Profile(msgspec.Struct, frozen=True):
    name: str | None = None
    username: str | None = None


class Contact(msgspec.Struct, frozen=True):
    profile: Profile | None = None
    wa_id: str | None = None
    user_id: str | None = None


class Metadata(msgspec.Struct, frozen=True):
    display_phone_number: str | None = None
    phone_number_id: str | None = None


class Value(msgspec.Struct, frozen=True):
    metadata: Metadata | None = None
    contacts: list[msgspec.Raw] = []
    messages: list[msgspec.Raw] = []
    statuses: list[msgspec.Raw] = []


class Change(msgspec.Struct, frozen=True):
    field: str | None = None
    value: Value | None = None


class Entry(msgspec.Struct, frozen=True):
    id: str | None = None
    changes: list[Change] = []


class Notification(msgspec.Struct, frozen=True):
    """A webhook POST body; messages and statuses stay raw until the worker reads them."""

    object: str | None = None
    entry: list[Entry] = []


class _Reaction(msgspec.Struct, frozen=True):
    message_id: str | None = None
    emoji: str | None = None


class MessageKey(msgspec.Struct, frozen=True):
    """Just enough of a message to know its id (reactions add and remove share one)."""

    id: str | None = None
    type: str | None = None
    reaction: _Reaction | None = None
    sender: str | None = msgspec.field(default=None, name="from")
    from_user_id: str | None = None


class StatusKey(msgspec.Struct, frozen=True):
    id: str | None = None
    status: str | None = None


class StoredEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One message or status as kept in the inbox, with the context it came with."""

    kind: str
    phone_number_id: str | None = None
    contacts: list[msgspec.Raw] = []
    item: msgspec.Raw


class Media(msgspec.Struct, frozen=True):
    id: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
    url: str | None = None
    voice: bool | None = None
    animated: bool | None = None
    file_size: int | str | None = None


class _Text(msgspec.Struct, frozen=True):
    body: str | None = None


class _Reply(msgspec.Struct, frozen=True):
    id: str | None = None
    title: str | None = None
    description: str | None = None


class Interactive(msgspec.Struct, frozen=True):
    type: str | None = None
    list_reply: _Reply | None = None
    button_reply: _Reply | None = None


class _Button(msgspec.Struct, frozen=True):
    payload: str | None = None
    text: str | None = None


class _Location(msgspec.Struct, frozen=True):
    latitude: float | None = None
    longitude: float | None = None
    name: str | None = None
    address: str | None = None


class _ErrorData(msgspec.Struct, frozen=True):
    details: str | None = None


class ErrorInfo(msgspec.Struct, frozen=True):
    code: int | None = None
    title: str | None = None
    message: str | None = None
    error_data: _ErrorData | None = None

    def describe(self) -> str:
        detail = self.error_data.details if self.error_data else None
        return f"{self.code}: {detail or self.message or self.title or 'erro'}"


class Message(msgspec.Struct, frozen=True):
    """An inbound message of any type; unknown types keep only the common fields."""

    id: str | None = None
    sender: str | None = msgspec.field(default=None, name="from")
    from_user_id: str | None = None
    timestamp: str | int | None = None
    type: str | None = None
    text: _Text | None = None
    image: Media | None = None
    audio: Media | None = None
    video: Media | None = None
    document: Media | None = None
    sticker: Media | None = None
    reaction: _Reaction | None = None
    interactive: Interactive | None = None
    button: _Button | None = None
    location: _Location | None = None
    errors: list[ErrorInfo] = []


class Status(msgspec.Struct, frozen=True):
    id: str | None = None
    status: str | None = None
    timestamp: str | int | None = None
    recipient_id: str | None = None
    errors: list[ErrorInfo] = []


class MediaInfo(msgspec.Struct, frozen=True):
    """``GET /{media-id}``: where to download the file, valid for 5 minutes."""

    url: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    file_size: int | str | None = None
    id: str | None = None
