import pytest

from balcao import FALABR_TYPE_IDS, TRANSITIONS, IllegalTransition, Kind, State
from balcao._domain.codes import (
    format_protocol,
    new_access_code,
    normalize_access_code,
    parse_protocol,
)
from balcao._domain.lifecycle import check_transition


def test_every_state_has_a_row_in_the_transition_table() -> None:
    assert set(TRANSITIONS) == set(State)
    for targets in TRANSITIONS.values():
        assert targets <= set(State)


def test_illegal_transition_names_the_states_and_what_is_allowed() -> None:
    with pytest.raises(IllegalTransition) as error:
        check_transition(State.CLOSED, State.FORWARDED)
    # named as people read them: the message reaches staff pages and API callers alike
    assert str(error.value) == (
        "Transição não permitida: de “Concluída” para “Encaminhada à unidade”. "
        "A partir de “Concluída” são permitidas: Em triagem."
    )


def test_kind_ids_match_falabr() -> None:
    assert FALABR_TYPE_IDS == {
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


def test_protocol_format_and_parse() -> None:
    assert format_protocol(2026, 123) == "2026-000123"
    assert parse_protocol(" 2026-000123 ") == (2026, 123)
    assert parse_protocol("2026000123") == (2026, 123)
    assert parse_protocol("abc") is None


def test_access_codes_are_random_and_tolerant_when_typed() -> None:
    codes = {new_access_code() for _ in range(1000)}
    assert len(codes) == 1000
    code = codes.pop()
    assert len(code.replace("-", "")) == 10  # 10 base32 symbols = 50 bits
    assert normalize_access_code(code.lower().replace("-", " ")) == code.replace("-", "")
    assert normalize_access_code("o1l-I0") == "01110"
