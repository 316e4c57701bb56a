"""The satisfaction survey (Lei 13.460/2017 art. 23-24): the question, the answer and who
is asked."""

from __future__ import annotations

import enum

import msgspec

from balcao._domain.kinds import Kind

__all__ = ["MAX_COMMENT", "Attended", "InvalidSurveyAnswer", "SurveyAnswer", "asked"]

MAX_COMMENT = 2000
QUESTION = "Sua demanda foi atendida?"


class Attended(enum.StrEnum):
    """ "Sua demanda foi atendida?", as the CGU's "Demanda Atendida" column has it."""

    YES = "sim"
    PARTLY = "parcialmente"
    NO = "nao"

    @property
    def label(self) -> str:
        """The answer as the citizen reads it (pt-BR)."""
        return _LABELS[self]


_LABELS = {Attended.YES: "Sim", Attended.PARTLY: "Parcialmente", Attended.NO: "Não"}


class InvalidSurveyAnswer(ValueError):
    """An answer the survey refuses, with a message the citizen can act on."""


class SurveyAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """A citizen's answer: ``attended`` (sim / parcialmente / nao), ``rating`` 1-5 and an
    optional ``comment``."""

    attended: Attended
    rating: int
    comment: str = ""

    def __post_init__(self) -> None:
        if not 1 <= self.rating <= 5:
            raise InvalidSurveyAnswer("a nota de satisfação vai de 1 a 5")
        if len(self.comment) > MAX_COMMENT:
            raise InvalidSurveyAnswer(f"o comentário tem no máximo {MAX_COMMENT} caracteres")


def asked(kind: Kind, anonymous: bool) -> bool:
    """An anonymous comunicação gets no survey: nobody could be asked."""
    return not anonymous and kind is not Kind.COMUNICACAO
