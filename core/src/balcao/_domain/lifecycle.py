"""The manifestation lifecycle: states and the one transition table."""

from __future__ import annotations

import enum

__all__ = ["TRANSITIONS", "IllegalTransition", "State", "check_transition"]


class State(enum.StrEnum):
    """Where a manifestation stands in the ouvidoria's workflow."""

    RECEIVED = "received"
    TRIAGE = "triage"
    AWAITING_CITIZEN = "awaiting_citizen"
    FORWARDED = "forwarded"
    UNIT_ANSWERED = "unit_answered"
    ANSWERED = "answered"
    CLOSED = "closed"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        """The state's name as citizens and staff read it (pt-BR)."""
        return _LABELS[self]

    @property
    def is_open(self) -> bool:
        """Whether the manifestation still awaits an answer (not concluded or archived)."""
        return self not in (State.CLOSED, State.ARCHIVED)


_LABELS: dict[State, str] = {
    State.RECEIVED: "Recebida",
    State.TRIAGE: "Em triagem",
    State.AWAITING_CITIZEN: "Aguardando complementação",
    State.FORWARDED: "Encaminhada à unidade",
    State.UNIT_ANSWERED: "Respondida pela unidade",
    State.ANSWERED: "Respondida ao cidadão",
    State.CLOSED: "Concluída",
    State.ARCHIVED: "Arquivada",
}

S = State
TRANSITIONS: dict[State, frozenset[State]] = {
    S.RECEIVED: frozenset({S.TRIAGE, S.AWAITING_CITIZEN, S.FORWARDED, S.ANSWERED, S.ARCHIVED}),
    S.TRIAGE: frozenset({S.AWAITING_CITIZEN, S.FORWARDED, S.ANSWERED, S.ARCHIVED}),
    # The citizen complemented (back to triage) or let the 20 days run out (archived).
    S.AWAITING_CITIZEN: frozenset({S.TRIAGE, S.ARCHIVED}),
    S.FORWARDED: frozenset({S.UNIT_ANSWERED, S.TRIAGE, S.FORWARDED}),
    S.UNIT_ANSWERED: frozenset({S.ANSWERED, S.FORWARDED, S.TRIAGE}),
    S.ANSWERED: frozenset({S.CLOSED, S.TRIAGE}),
    # Reopening: a citizen writes again about a concluded or archived case.
    S.CLOSED: frozenset({S.TRIAGE}),
    S.ARCHIVED: frozenset({S.TRIAGE}),
}


class IllegalTransition(ValueError):
    """A transition the table does not allow."""

    def __init__(self, source: State, target: State) -> None:
        ordered = [s for s in State if s in TRANSITIONS[source]]
        allowed = ", ".join(s.label for s in ordered) or "nenhuma"
        super().__init__(
            f"Transição não permitida: de “{source.label}” para “{target.label}”. "
            f"A partir de “{source.label}” são permitidas: {allowed}."
        )
        self.source = source
        self.target = target


def check_transition(source: State, target: State) -> None:
    """Raise :class:`IllegalTransition` unless the table allows ``source -> target``."""
    if target not in TRANSITIONS[source]:
        raise IllegalTransition(source, target)
