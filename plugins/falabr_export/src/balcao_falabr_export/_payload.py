"""The Me-OUV create payload (``ManifestacaoInclusaoDTO``) built from a manifestation."""

from __future__ import annotations

import base64
import gzip
import json
import re
from collections.abc import Sequence
from typing import Any

from balcao import Citizen, Manifestation
from balcao_falabr_export._codes import (
    IDENTIFICATION_ANONYMOUS,
    IDENTIFICATION_IDENTIFIED,
    IDENTIFICATION_RESTRICTED,
    MAX_ATTACHMENTS,
    MAX_ATTACHMENTS_BYTES,
    MAX_TEXT,
    form_id,
)
from balcao_falabr_export._config import FalabrConfig

__all__ = [
    "attachments_allowed",
    "build_payload",
    "consented",
    "encode_attachments",
    "reference_marker",
    "sendable_identity",
    "text_for",
]

_CPF_DOCUMENT = 1


def consented(manifestation: Manifestation) -> bool:
    """The citizen identified themselves and agreed to have the identity passed on.

    Channels record the agreement as ``extra["identity_consent"] = True`` at intake.
    """
    return not manifestation.anonymous and manifestation.extra.get("identity_consent") is True


def sendable_identity(citizen: Citizen | None) -> bool:
    """Fala.BR's ``PessoaDTO`` requires a name and an e-mail."""
    return citizen is not None and bool(citizen.name) and bool(citizen.email)


def reference_marker(protocol: str) -> str:
    return f"Balcão {protocol}"


def text_for(manifestation: Manifestation, *, pseudonymized: bool) -> str:
    """The manifestation's text within Fala.BR's limit, with our reference at the end."""
    footer = f"\n\n[Registrada a partir do {reference_marker(manifestation.protocol)}"
    footer += f", canal {manifestation.channel}"
    if pseudonymized and not manifestation.anonymous:
        footer += f"; identidade preservada, pseudônimo {manifestation.pseudonym}"
    footer += "]"
    body = manifestation.description.strip()
    if manifestation.subject.strip():
        body = f"{manifestation.subject.strip()}\n\n{body}"
    room = MAX_TEXT - len(footer)
    if len(body) > room:
        cut = " […] (texto integral no balcão)"
        body = body[: room - len(cut)].rstrip() + cut
    return body + footer


def _person(citizen: Citizen) -> dict[str, Any]:
    person: dict[str, Any] = {"Nome": citizen.name, "Email": citizen.email}
    cpf = re.sub(r"\D", "", citizen.cpf or "")
    if len(cpf) == 11:
        person["IdTipoDocumentoIdentificacao"] = _CPF_DOCUMENT
        person["NumeroDocumentoIdentificacao"] = cpf
    return person


def _identification(manifestation: Manifestation, with_identity: bool) -> int:
    if not with_identity:
        return IDENTIFICATION_ANONYMOUS
    if manifestation.kind.whistleblowing:
        return IDENTIFICATION_RESTRICTED
    return IDENTIFICATION_IDENTIFIED


def encode_attachments(files: Sequence[tuple[str, bytes]]) -> list[dict[str, Any]]:
    """``Anexos``: each file gzip-compressed then base64-encoded, within Fala.BR's limits
    (count and total size of the original files); files beyond them are left out."""
    chosen: list[dict[str, Any]] = []
    total = 0
    for name, content in files:
        if len(chosen) == MAX_ATTACHMENTS or total + len(content) > MAX_ATTACHMENTS_BYTES:
            break
        total += len(content)
        chosen.append(
            {
                "NomeArquivo": name,
                "ConteudoZipadoEBase64": base64.b64encode(gzip.compress(content)).decode("ascii"),
                "TamanhoArquivo": len(content),
            }
        )
    return chosen


def attachments_allowed(manifestation: Manifestation, with_identity: bool) -> bool:
    """A pseudonymized denúncia goes without its files: they may identify the denunciante."""
    return with_identity or not manifestation.kind.whistleblowing


def build_payload(
    manifestation: Manifestation,
    config: FalabrConfig,
    citizen: Citizen | None = None,
    files: Sequence[tuple[str, bytes]] = (),
) -> dict[str, Any]:
    """The JSON body of ``POST /api/manifestacoes``; ``citizen`` only when it may be sent."""
    with_identity = sendable_identity(citizen)
    payload: dict[str, Any] = {
        "IdTipoFormulario": form_id(manifestation.kind),
        "IdTipoManifestacao": manifestation.kind.falabr_id,
        "TextoManifestacao": text_for(manifestation, pseudonymized=not with_identity),
        "IdTipoIdentificacaoManifestante": _identification(manifestation, with_identity),
        "IndEnviarEmailCidadao": with_identity,
        "DadosExtraJson": json.dumps(
            {"ProtocoloBalcao": manifestation.protocol, "Canal": manifestation.channel},
            ensure_ascii=False,
        ),
        "Anexos": encode_attachments(files)
        if attachments_allowed(manifestation, with_identity)
        else [],
    }
    if config.ouvidoria_id is not None:
        payload["IdOuvidoriaDestino"] = config.ouvidoria_id
    if config.entry_channel_id is not None:
        payload["IdCanalEntrada"] = config.entry_channel_id
    if with_identity and citizen is not None:
        payload["Manifestante"] = _person(citizen)
    return payload
