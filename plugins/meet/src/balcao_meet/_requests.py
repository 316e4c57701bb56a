"""What citizens send to book, cancel or move, and how it is checked."""

from __future__ import annotations

import datetime as dt
import re

import msgspec

from balcao import Citizen, InvalidManifestation, Kind

__all__ = ["BookingRequest", "CitizenContact", "MoveRequest", "bookable_kinds", "checked_contact"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MAX_DESCRIPTION = 2000


class CitizenContact(msgspec.Struct, frozen=True, kw_only=True):
    name: str = ""
    email: str | None = None
    phone: str | None = None


class BookingRequest(msgspec.Struct, frozen=True, kw_only=True):
    """``POST /channels/meet/api/bookings``."""

    start: dt.datetime
    kind: str
    description: str
    citizen: CitizenContact
    consent: bool = False


class MoveRequest(msgspec.Struct, frozen=True, kw_only=True):
    """``PATCH /channels/meet/api/bookings/{protocol}``: the new start."""

    start: dt.datetime


def bookable_kinds() -> list[Kind]:
    """Kinds a citizen can book for; an anonymous report needs no meeting."""
    return [k for k in Kind if k not in (Kind.COMUNICACAO, Kind.NAO_CLASSIFICADA)]


def checked_kind(raw: str) -> Kind:
    if not raw.strip():
        raise InvalidManifestation("kind", "escolha o tipo de manifestação")
    try:
        kind = Kind(raw)
    except ValueError:
        kind = None
    if kind is None or kind not in bookable_kinds():
        names = ", ".join(k.value for k in bookable_kinds())
        raise InvalidManifestation("kind", f"tipo desconhecido {raw!r}; use um de: {names}")
    return kind


def checked_start(start: dt.datetime) -> dt.datetime:
    if start.tzinfo is None:
        raise InvalidManifestation(
            "start", "informe o horário com o fuso, como em 2026-12-02T08:00:00-04:00"
        )
    return start


def checked_description(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidManifestation("description", "conte em poucas palavras o assunto")
    if len(text) > _MAX_DESCRIPTION:
        raise InvalidManifestation("description", f"use no máximo {_MAX_DESCRIPTION} caracteres")
    return text


def checked_contact(contact: CitizenContact) -> Citizen:
    """The citizen as the core stores it; a name and an e-mail or WhatsApp are required."""
    name = contact.name.strip()
    email = (contact.email or "").strip() or None
    phone = _digits(contact.phone or "")
    if not name:
        raise InvalidManifestation("citizen.name", "informe seu nome")
    if email is None and phone is None:
        raise InvalidManifestation(
            "citizen.email", "informe um e-mail ou um número de WhatsApp para contato"
        )
    if email is not None and not _EMAIL.match(email):
        raise InvalidManifestation("citizen.email", f"e-mail inválido: {email!r}")
    return Citizen(name=name, email=email, phone=phone, whatsapp=phone)


def _digits(raw: str) -> str | None:
    if not raw.strip():
        return None
    digits = re.sub(r"\D", "", raw)
    if len(digits) in (10, 11):
        digits = "55" + digits  # a Brazilian number given without the country code
    if not 12 <= len(digits) <= 15:
        raise InvalidManifestation(
            "citizen.phone", "número de WhatsApp inválido: use DDD e número, como (65) 99999-0000"
        )
    return digits


def validated(request: BookingRequest) -> tuple[Kind, str, Citizen]:
    """Kind, description and citizen of a booking, or InvalidManifestation."""
    checked_start(request.start)
    kind = checked_kind(request.kind)
    description = checked_description(request.description)
    citizen = checked_contact(request.citizen)
    if not request.consent:
        raise InvalidManifestation(
            "consent", "é preciso concordar com o aviso de privacidade para agendar"
        )
    return kind, description, citizen
