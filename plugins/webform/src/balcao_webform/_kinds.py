"""The kinds a citizen may choose, with Fala.BR's one-line explanation of each."""

from __future__ import annotations

from dataclasses import dataclass

from balcao import Kind

__all__ = ["KIND_CHOICES", "KindChoice", "offered"]


@dataclass(frozen=True)
class KindChoice:
    kind: Kind
    label: str
    hint: str


KIND_CHOICES: tuple[KindChoice, ...] = (
    KindChoice(
        Kind.RECLAMACAO,
        "Reclamação",
        "Demonstração de insatisfação relativa à prestação de serviço público.",
    ),
    KindChoice(
        Kind.SOLICITACAO,
        "Solicitação",
        "Pedido para adoção de providências por parte da administração.",
    ),
    KindChoice(
        Kind.SUGESTAO,
        "Sugestão",
        "Proposição de ideia ou formulação de proposta de aprimoramento de serviços públicos.",
    ),
    KindChoice(
        Kind.ELOGIO,
        "Elogio",
        "Demonstração de reconhecimento ou de satisfação sobre o serviço oferecido ou o "
        "atendimento recebido.",
    ),
    KindChoice(
        Kind.DENUNCIA,
        "Denúncia",
        "Comunicação de prática de ato ilícito cuja solução dependa da atuação de órgão de "
        "controle interno ou externo. Pode ser anônima.",
    ),
    KindChoice(
        Kind.SIMPLIFIQUE,
        "Simplifique",
        "Proposta para simplificar um serviço público, tornando-o menos burocrático.",
    ),
    KindChoice(
        Kind.ACESSO_INFORMACAO,
        "Acesso à informação",
        "Pedido de acesso a informação pública, com base na Lei de Acesso à Informação "
        "(Lei 12.527/2011).",
    ),
)

_BY_VALUE = {c.kind.value: c for c in KIND_CHOICES}


def offered(value: str) -> KindChoice | None:
    """The choice named ``value`` (e.g. ``reclamacao``), or None if the form does not offer it."""
    return _BY_VALUE.get(value.strip().lower())
