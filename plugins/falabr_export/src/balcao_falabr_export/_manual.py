"""Modes "staff" and "citizen": prepared text to paste on Fala.BR, and the NUP recorded later."""

from __future__ import annotations

from typing import Any

import msgspec

from balcao import Access, Actor, Manifestation, PluginDesk, may
from balcao_falabr_export._codes import form_label, type_label
from balcao_falabr_export._config import FalabrConfig
from balcao_falabr_export._handover import record_registered
from balcao_falabr_export._nup import parse_nup
from balcao_falabr_export._payload import consented, text_for
from balcao_falabr_export._store import fetch, upsert

__all__ = ["NoReturnChannel", "NupConflict", "Prepared", "prepare", "record_nup", "send_to_citizen"]


class NoReturnChannel(Exception):
    """An anonymous comunicação has no address to send the link to."""


class NupConflict(Exception):
    """The manifestation already has another NUP."""


class Prepared(msgspec.Struct, frozen=True, kw_only=True):
    """What a staff member pastes into Fala.BR's form."""

    protocol: str
    falabr_url: str
    type_id: int
    type_label: str
    form: str
    identification: str
    text: str
    identity: dict[str, Any] | None
    notes: list[str]


def _identification(manifestation: Manifestation, with_identity: bool) -> str:
    if manifestation.anonymous:
        return "anônima (comunicação)"
    if with_identity:
        return "identificada" + (" com restrição" if manifestation.kind.whistleblowing else "")
    return "identidade preservada no balcão (pseudonimizada)"


async def _staff_identity(
    desk: PluginDesk, m: Manifestation, actor: Actor
) -> dict[str, Any] | None:
    # Only the ouvidor may see an identity; and only with the citizen's consent to pass it on.
    if not consented(m) or not may(actor, Access.REVEAL_IDENTITY):
        return None
    citizen = await desk.reveal_identity(
        m.protocol, actor, "registro manual no Fala.BR (consentido)", action="identity_export"
    )
    return msgspec.to_builtins(citizen) if citizen is not None else None


def _notes(m: Manifestation, identity: dict[str, Any] | None, actor: Actor) -> list[str]:
    notes = ["Depois de registrar, informe o NUP gerado pelo Fala.BR para concluir."]
    if consented(m) and identity is None and not may(actor, Access.REVEAL_IDENTITY):
        notes.append("O manifestante consentiu em ser identificado: peça ao ouvidor os dados.")
    if m.kind.whistleblowing and not consented(m):
        notes.append("Denúncia sem consentimento: não informe a identidade (Decreto 10.153/2019).")
    return notes


async def prepare(desk: PluginDesk, config: FalabrConfig, protocol: str, actor: Actor) -> Prepared:
    """The text and data for registering by hand; records that staff were given them."""
    m = await desk.get(protocol)
    identity = await _staff_identity(desk, m, actor)
    await upsert(desk, protocol, "staff", "prepared", actor.label)
    return Prepared(
        protocol=m.protocol,
        falabr_url=config.citizen_form_url,
        type_id=m.kind.falabr_id,
        type_label=type_label(m.kind),
        form=form_label(m.kind),
        identification=_identification(m, identity is not None),
        text=text_for(m, pseudonymized=identity is None),
        identity=identity,
        notes=_notes(m, identity, actor),
    )


def _citizen_text(m: Manifestation, config: FalabrConfig) -> str:
    body = m.description.strip()
    return (
        f"Olá! Para o registro formal da sua manifestação {m.protocol} no Fala.BR, a plataforma "
        f"oficial do governo federal, acesse {config.citizen_form_url} e escolha o tipo "
        f'"{type_label(m.kind)}". Você pode usar o texto abaixo. Depois, envie-nos o número '
        f"(NUP) que o Fala.BR informar.\n\n---\n{body}"
    )


async def send_to_citizen(
    desk: PluginDesk, config: FalabrConfig, protocol: str, actor: Actor
) -> None:
    """Send the Fala.BR link and the text through the channel the manifestation came from."""
    m = await desk.get(protocol)
    if m.anonymous:
        raise NoReturnChannel(protocol)
    await desk.reply(protocol, _citizen_text(m, config), actor)
    await upsert(desk, protocol, "citizen", "citizen", actor.label)


async def record_nup(
    desk: PluginDesk,
    config: FalabrConfig,
    protocol: str,
    raw_nup: str,
    actor: Actor,
    access_code: str | None = None,
) -> None:
    """Record a NUP obtained by hand (staff or citizen); validated, check digits included."""
    nup = parse_nup(raw_nup)
    await desk.get(protocol)
    row = await fetch(desk, protocol)
    if row is not None and row.state == "registered" and row.nup and row.nup != nup:
        raise NupConflict(protocol)
    mode = row.mode if row is not None and row.mode in ("staff", "citizen") else "staff"
    await record_registered(
        desk, config, protocol, nup=nup, mode=mode, access_code=access_code, actor=actor
    )
