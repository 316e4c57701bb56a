"""Manifestation kinds and their Fala.BR ids: the one table of that fact."""

from __future__ import annotations

import enum

__all__ = ["FALABR_TYPE_IDS", "Kind"]


class Kind(enum.StrEnum):
    """The kind of a manifestation, named as Fala.BR names it."""

    DENUNCIA = "denuncia"
    RECLAMACAO = "reclamacao"
    ELOGIO = "elogio"
    SUGESTAO = "sugestao"
    SOLICITACAO = "solicitacao"
    NAO_CLASSIFICADA = "nao_classificada"
    COMUNICACAO = "comunicacao"
    ACESSO_INFORMACAO = "acesso_informacao"
    SIMPLIFIQUE = "simplifique"

    @property
    def label(self) -> str:
        """The kind's name as citizens and staff read it (pt-BR)."""
        return _LABELS[self]

    @property
    def falabr_id(self) -> int:
        """Fala.BR's ``IdTipoManifestacao`` for this kind."""
        return FALABR_TYPE_IDS[self]

    @property
    def whistleblowing(self) -> bool:
        """Denúncias and comunicações: exclusive to the ouvidoria (Decreto 10.153)."""
        return self in (Kind.DENUNCIA, Kind.COMUNICACAO)


FALABR_TYPE_IDS: dict[Kind, int] = {
    Kind.DENUNCIA: 1,
    Kind.RECLAMACAO: 2,
    Kind.ELOGIO: 3,
    Kind.SUGESTAO: 4,
    Kind.SOLICITACAO: 5,
    Kind.NAO_CLASSIFICADA: 6,
    Kind.COMUNICACAO: 7,
    Kind.ACESSO_INFORMACAO: 8,
    Kind.SIMPLIFIQUE: 9,
}

_LABELS: dict[Kind, str] = {
    Kind.DENUNCIA: "Denúncia",
    Kind.RECLAMACAO: "Reclamação",
    Kind.ELOGIO: "Elogio",
    Kind.SUGESTAO: "Sugestão",
    Kind.SOLICITACAO: "Solicitação",
    Kind.NAO_CLASSIFICADA: "Não classificada",
    Kind.COMUNICACAO: "Comunicação (denúncia anônima)",
    Kind.ACESSO_INFORMACAO: "Acesso à informação",
    Kind.SIMPLIFIQUE: "Simplifique",
}
