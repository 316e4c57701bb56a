"""Fala.BR code tables this plugin needs besides the type ids (which live in the core)."""

from __future__ import annotations

from balcao import Kind, State

__all__ = [
    "FORM_DENUNCIA",
    "FORM_SIMPLIFIQUE",
    "FORM_STANDARD",
    "IDENTIFICATION_ANONYMOUS",
    "IDENTIFICATION_IDENTIFIED",
    "IDENTIFICATION_RESTRICTED",
    "MAX_ATTACHMENTS",
    "MAX_ATTACHMENTS_BYTES",
    "MAX_TEXT",
    "form_id",
    "form_label",
    "situation_label",
    "type_label",
]

# IdTipoFormulario: 1 Padrão, 2 Simplifique, 4 Denúncia.
FORM_STANDARD = 1
FORM_SIMPLIFIQUE = 2
FORM_DENUNCIA = 4

# IdTipoIdentificacaoManifestante. Only 3 ("identificada com restrição") is documented in
# public client code; 1 and 2 follow the same table and must be confirmed on the training
# environment before production use.
IDENTIFICATION_ANONYMOUS = 1
IDENTIFICATION_IDENTIFIED = 2
IDENTIFICATION_RESTRICTED = 3

MAX_TEXT = 8000
MAX_ATTACHMENTS = 10
MAX_ATTACHMENTS_BYTES = 30 * 1024 * 1024

# "Tipo Manifestação" as the CGU open-data files spell it.
_TYPE_LABELS: dict[Kind, str] = {
    Kind.DENUNCIA: "Denúncia",
    Kind.RECLAMACAO: "Reclamação",
    Kind.ELOGIO: "Elogio",
    Kind.SUGESTAO: "Sugestão",
    Kind.SOLICITACAO: "Solicitação",
    Kind.NAO_CLASSIFICADA: "Não Classificada",
    Kind.COMUNICACAO: "Comunicação",
    Kind.ACESSO_INFORMACAO: "Acesso à Informação",
    Kind.SIMPLIFIQUE: "Simplifique",
}

# The balcão's workflow read as Fala.BR's situações.
_SITUATIONS: dict[State, str] = {
    State.RECEIVED: "Cadastrada",
    State.TRIAGE: "Cadastrada",
    State.AWAITING_CITIZEN: "Complementação Solicitada",
    State.FORWARDED: "Cadastrada",
    State.UNIT_ANSWERED: "Cadastrada",
    State.ANSWERED: "Concluída",
    State.CLOSED: "Concluída",
    State.ARCHIVED: "Arquivada",
}


def type_label(kind: Kind) -> str:
    return _TYPE_LABELS[kind]


def situation_label(state: State) -> str:
    return _SITUATIONS[state]


def form_id(kind: Kind) -> int:
    if kind.whistleblowing:
        return FORM_DENUNCIA
    return FORM_SIMPLIFIQUE if kind is Kind.SIMPLIFIQUE else FORM_STANDARD


def form_label(kind: Kind) -> str:
    return {FORM_DENUNCIA: "Denúncia", FORM_SIMPLIFIQUE: "Simplifique"}.get(form_id(kind), "Padrão")
