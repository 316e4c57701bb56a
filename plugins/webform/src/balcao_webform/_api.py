"""``POST /channels/webform/api/manifestations``: the same intake as JSON, for portals that
embed their own form. Same validation, limits and rate limit as the HTML form."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import HeaderParameter, JSONBody
from litestar.types import ControllerRouterHandler

from balcao import IncomingFile, PluginDesk, client_ip
from balcao_webform._config import WebformConfig
from balcao_webform._cors import cors_headers, preflight_route
from balcao_webform._fields import Draft, Errors
from balcao_webform._guard import idempotent
from balcao_webform._intake import register

__all__ = ["AttachmentIn", "CitizenIn", "IntakeError", "IntakeIn", "IntakeOut", "api_routes"]

_JSON_NAMES = {"name": "citizen.name", "email": "citizen.email", "phone": "citizen.phone"}
_JSON_NAMES |= {"cpf": "citizen.cpf"}


class CitizenIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The citizen's identification (required unless the denúncia is anonymous)."""

    name: str = ""
    email: str = ""
    phone: str = ""
    cpf: str = ""


class AttachmentIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A file, its bytes in base64; its type is taken from its content, not declared."""

    filename: str
    content_base64: str
    content_type: str | None = None


class IntakeIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A new manifestation. ``kind``: reclamacao, solicitacao, sugestao, elogio, denuncia,
    simplifique or acesso_informacao. Only a denúncia may be ``anonymous`` (it is registered
    as a comunicação, without access code, and cannot be followed up)."""

    kind: str
    subject: str
    description: str
    anonymous: bool = False
    citizen: CitizenIn | None = None
    consent: bool = False
    place: str = ""
    fact_date: str = ""
    attachments: list[AttachmentIn] = []


class IntakeOut(msgspec.Struct, kw_only=True):
    """The protocol number and the access code (``null`` for an anonymous report)."""

    protocol: str
    access_code: str | None


class IntakeError(msgspec.Struct, kw_only=True):
    """``errors`` maps each refused field (``citizen.email``, ``attachments``...) to why."""

    status_code: int
    detail: str
    errors: dict[str, str] = {}


def _draft(data: IntakeIn) -> Draft:
    citizen = data.citizen or CitizenIn()
    return Draft(
        kind=data.kind.strip(),
        subject=data.subject.strip(),
        description=data.description.strip(),
        place=data.place.strip(),
        fact_date=data.fact_date.strip(),
        anonymous=data.anonymous,
        name=citizen.name.strip(),
        email=citizen.email.strip(),
        phone=citizen.phone.strip(),
        cpf=citizen.cpf.strip(),
        consent=data.consent,
    )


def _files(data: IntakeIn) -> tuple[list[IncomingFile], list[str]]:
    files, problems = [], []
    for item in data.attachments:
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            problems.append(f"“{item.filename}”: content_base64 não é base64 válido.")
            continue
        files.append(
            IncomingFile(filename=item.filename, content=content, declared_type=item.content_type)
        )
    return files, problems


IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        max_length=200,
        description="Uma chave única por manifestação, para repetir o envio com segurança.",
    ),
]


def _refused(status: int, errors: Errors, headers: dict[str, str]) -> Response[IntakeError]:
    named = {_JSON_NAMES.get(k, k): v for k, v in errors.items()}
    detail = next(iter(named.values()), "Manifestação recusada.")
    return Response(
        IntakeError(status_code=status, detail=detail, errors=named),
        status_code=status,
        headers=headers,
    )


def api_routes(config: WebformConfig) -> list[ControllerRouterHandler]:
    """The JSON intake; built per app, since the size cap comes from the config."""
    # base64 makes files a third larger
    limit = config.max_request_bytes * 4 // 3 + 64 * 1024

    @post(
        "/api/manifestations",
        description=(
            "Registra uma manifestação e devolve o protocolo e o código de acesso, "
            "mostrado só desta vez. Anexos vão em `attachments`, em base64. Quem "
            "pode repetir o envio manda `Idempotency-Key`: a repetição devolve o "
            "mesmo recibo e não registra nada. 422 nomeia o campo inválido."
        ),
        name="webform:api",
        tags=["webform"],
        summary="Registrar manifestação (JSON)",
        opt={"exclude_from_csrf": True},
        request_max_body_size=limit,
        status_code=201,
        responses={
            422: ResponseSpec(IntakeError, description="Campo inválido; veja `errors`."),
            409: ResponseSpec(IntakeError, description="Idempotency-Key já usada."),
            429: ResponseSpec(IntakeError, description="Muitos envios deste endereço."),
        },
    )
    async def intake_json(
        desk: NamedDependency[PluginDesk],
        request: Request[Any, Any, Any],
        data: JSONBody[IntakeIn],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[IntakeOut | IntakeError]:
        """Register a manifestation; answers the protocol number and the access code, shown
        only this once. Attachments go in ``attachments`` as base64. A caller that may retry
        sends an ``Idempotency-Key``: a repeated key answers 409 and registers nothing."""
        cors = cors_headers(request, config)
        files, problems = _files(data)
        if problems:
            return _refused(422, {"attachments": " ".join(problems)}, cors)  # type: ignore[return-value]
        address = client_ip(request, desk.settings.trusted_proxies)
        once = idempotent(idempotency_key) if idempotency_key else None
        outcome = await register(desk, config, _draft(data), files, address, once=once)
        if outcome.receipt is None:
            return _refused(outcome.status, outcome.errors, cors)  # type: ignore[return-value]
        receipt = outcome.receipt
        return Response(
            IntakeOut(protocol=receipt.protocol, access_code=receipt.access_code),
            status_code=201,
            headers={"cache-control": "no-store", **cors},
        )

    # the OPTIONS handler goes first, or Litestar's automatic one would take its place
    return [preflight_route("/api/manifestations", config), intake_json]
