"""What the citizen typed, its validation (messages in pt-BR) and the manifestation it makes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from balcao import Citizen, IncomingFile, Kind, NewManifestation
from balcao_webform._cpf import normalize_cpf, valid_cpf
from balcao_webform._kinds import offered

__all__ = ["FIELD_ORDER", "Draft", "Errors", "to_manifestation", "validate"]

Errors = dict[str, str]

# The order of the form, so the error summary reads top to bottom.
FIELD_ORDER = (
    "kind", "subject", "description", "place", "fact_date", "attachments",
    "anonymous", "name", "email", "phone", "cpf", "consent",
)  # fmt: skip

_LIMITS = {"subject": 300, "description": 20_000, "place": 200, "name": 200, "email": 254}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, kw_only=True)
class Draft:
    """The form's fields as typed (kept as typed, so an error page can show them again)."""

    kind: str = ""
    subject: str = ""
    description: str = ""
    place: str = ""
    fact_date: str = ""
    anonymous: bool = False
    name: str = ""
    email: str = ""
    phone: str = ""
    cpf: str = ""
    consent: bool = False

    @classmethod
    def from_form(cls, data: Mapping[str, Any]) -> Draft:
        def text(name: str) -> str:
            value = data.get(name, "")
            return value.strip() if isinstance(value, str) else ""

        return cls(
            **{f: text(f) for f in _TEXT_FIELDS},
            anonymous=text("anonymous") in ("1", "on", "sim", "true"),
            consent=text("consent") in ("1", "on", "sim", "true"),
        )

    def values(self) -> dict[str, Any]:
        return asdict(self)


_TEXT_FIELDS = (
    "kind", "subject", "description", "place", "fact_date", "name", "email", "phone", "cpf",
)  # fmt: skip


def validate(draft: Draft, today: dt.date) -> Errors:
    """Every problem of ``draft``, one message per field, in the form's order."""
    errors: Errors = {}
    _kind(draft, errors)
    _required(draft.subject, "subject", "Informe o assunto em poucas palavras.", errors)
    _required(draft.description, "description", "Descreva a sua manifestação.", errors)
    _lengths(draft, errors)
    _fact_date(draft.fact_date, today, errors)
    if not draft.anonymous:
        _identification(draft, errors)
    if not draft.consent:
        errors["consent"] = "Para enviar, declare que leu e concorda com o aviso de privacidade."
    return {f: errors[f] for f in FIELD_ORDER if f in errors}


def _kind(draft: Draft, errors: Errors) -> None:
    choice = offered(draft.kind) if draft.kind else None
    if choice is None:
        errors["kind"] = "Escolha o tipo de manifestação."
    elif draft.anonymous and choice.kind is not Kind.DENUNCIA:
        errors["anonymous"] = (
            "Somente a denúncia pode ser anônima. Escolha “Denúncia” como tipo ou desmarque "
            "a opção de anonimato e informe seus dados."
        )


def _required(value: str, field: str, message: str, errors: Errors) -> None:
    if not value:
        errors[field] = message


def _lengths(draft: Draft, errors: Errors) -> None:
    for field, limit in _LIMITS.items():
        if len(getattr(draft, field)) > limit and field not in errors:
            errors[field] = f"Use no máximo {limit} caracteres (há {len(getattr(draft, field))})."


def parse_fact_date(value: str) -> dt.date | None:
    """``AAAA-MM-DD`` (date input) or ``DD/MM/AAAA`` (typed), else None."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _fact_date(value: str, today: dt.date, errors: Errors) -> None:
    if not value:
        return
    parsed = parse_fact_date(value)
    if parsed is None:
        errors["fact_date"] = "Data inválida: use o formato dia/mês/ano, por exemplo 25/11/2026."
    elif parsed > today:
        errors["fact_date"] = "A data do fato não pode estar no futuro."


def _identification(draft: Draft, errors: Errors) -> None:
    _required(
        draft.name, "name", "Informe seu nome (ou, para uma denúncia, escolha o anonimato).", errors
    )
    if draft.email and not _EMAIL.match(draft.email):
        errors["email"] = "E-mail inválido: confira, por exemplo nome@exemplo.com.br."
    elif not draft.email and not draft.phone:
        errors["email"] = "Informe um e-mail ou um telefone para contato."
    if draft.phone and not _valid_phone(draft.phone):
        errors["phone"] = "Telefone inválido: informe DDD e número, por exemplo (65) 3313-7210."
    if draft.cpf and not valid_cpf(draft.cpf):
        errors["cpf"] = "CPF inválido: confira os 11 dígitos (os dois últimos são verificadores)."


def _valid_phone(phone: str) -> bool:
    """10 or 11 digits with the area code, 12 or 13 with Brazil's +55; common separators."""
    digits = re.sub(r"\D", "", phone)
    return len(digits) in (10, 11, 12, 13) and not re.search(r"[^\d\s()+\-.]", phone)


def to_manifestation(draft: Draft, files: tuple[IncomingFile, ...]) -> NewManifestation:
    """The manifestation for the core; an anonymous one carries no identification at all."""
    choice = offered(draft.kind)
    assert choice is not None  # validated before
    extra: dict[str, Any] = {}
    if draft.place:
        extra["place"] = draft.place
    fact = parse_fact_date(draft.fact_date) if draft.fact_date else None
    if fact is not None:
        extra["fact_date"] = fact.isoformat()
    return NewManifestation(
        kind=choice.kind,
        channel="webform",
        subject=draft.subject,
        description=draft.description,
        anonymous=draft.anonymous,
        citizen=None if draft.anonymous else _citizen(draft),
        files=files,
        extra=extra,
    )


def _citizen(draft: Draft) -> Citizen:
    return Citizen(
        name=draft.name,
        email=draft.email.lower() or None,
        phone=draft.phone or None,
        cpf=normalize_cpf(draft.cpf) or None,
    )
