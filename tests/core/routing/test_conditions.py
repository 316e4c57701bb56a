"""Each condition of the declarative rule language, as staff would notice it: where a
manifestation goes and the reason recorded with it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from balcao import Kind, State

from .conftest import WithRules, routed

CUIABA = ZoneInfo("America/Cuiaba")


def rule(name: str = "r", forward: str = "PRAE", **when: object) -> dict[str, object]:
    return {"name": name, "when": when, "then": {"forward_to": forward}}


async def test_kinds_in_and_not_in(with_rules: WithRules) -> None:
    balcao = await with_rules(
        [
            rule("sugestoes", "PROEG", kinds=["sugestao"]),
            rule("nao-elogios", "SECOM", kinds_not=["elogio", "sugestao"]),
        ]
    )
    assert (await routed(balcao, "texto", kind="sugestao")).unit_code == "PROEG"
    assert (await routed(balcao, "texto", kind="reclamacao")).unit_code == "SECOM"
    praise = await routed(balcao, "texto", kind="elogio")
    assert praise.unit_code is None
    assert praise.state == State.TRIAGE
    assert praise.routed_by == "fallback"


async def test_channels(with_rules: WithRules) -> None:
    balcao = await with_rules([rule("zap", "STI", channels=["whatsapp"])])
    assert (await routed(balcao, "x", channel="whatsapp")).unit_code == "STI"
    assert (await routed(balcao, "x", channel="webform")).unit_code is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A REFEICAO do Restaurante Universitário estava fria", "PRAE"),
        ("fila enorme no ru hoje", "PRAE"),
        ("Refeição boa", "PRAE"),
        # whole words only: "RU" inside "rua" or "cruzamento" is not the restaurante
        ("o buraco na rua perto do cruzamento", None),
        ("restaurante do centro universitário", None),  # the phrase must appear as such
    ],
)
async def test_words_any_is_whole_word_case_and_accent_insensitive(
    with_rules: WithRules, text: str, expected: str | None
) -> None:
    balcao = await with_rules([rule(words_any=["restaurante universitário", "RU", "refeição"])])
    assert (await routed(balcao, text)).unit_code == expected


async def test_words_reason_names_the_words_found(with_rules: WithRules) -> None:
    balcao = await with_rules([rule("ru", words_any=["RU", "refeição", "cardápio"])])
    found = await routed(balcao, "O cardapio do RU mudou sem aviso")
    assert found.routed_by == "ru"
    assert found.routing_reason is not None
    assert "'RU'" in found.routing_reason
    assert "'cardápio'" in found.routing_reason
    assert "refeição" not in found.routing_reason


async def test_words_all_and_none(with_rules: WithRules) -> None:
    balcao = await with_rules(
        [rule(words_all=["bolsa", "atraso"], words_none=["pós-graduação", "capes"])]
    )
    assert (await routed(balcao, "Atraso no pagamento da bolsa")).unit_code == "PRAE"
    assert (await routed(balcao, "a bolsa chegou")).unit_code is None
    assert (await routed(balcao, "atraso da bolsa CAPES")).unit_code is None
    assert (await routed(balcao, "Atraso na bolsa da pos graduacao")).unit_code is None


async def test_subject_counts_as_text(with_rules: WithRules) -> None:
    balcao = await with_rules([rule(words_any=["biblioteca"])])
    found = await routed(balcao, "o horário mudou", subject="Biblioteca central")
    assert found.unit_code == "PRAE"


async def test_regex_matches_with_or_without_accents(with_rules: WithRules) -> None:
    balcao = await with_rules(
        [rule("matricula", "PROEG", regex=[r"matr[ií]cula (trancada|cancelada)"])]
    )
    assert (await routed(balcao, "Minha MATRÍCULA CANCELADA sem motivo")).unit_code == "PROEG"
    found = await routed(balcao, "minha matricula trancada")
    assert found.unit_code == "PROEG"
    assert found.routing_reason is not None
    assert "matr[ií]cula" in found.routing_reason
    assert (await routed(balcao, "matrícula ativa")).unit_code is None


async def test_regex_cannot_backtrack_for_ever(with_rules: WithRules) -> None:
    # With a backtracking engine this pattern on this text would not finish in our lifetime.
    balcao = await with_rules([rule(regex="(a+)+$")])
    found = await routed(balcao, "a" * 19_000 + "!")
    assert found.unit_code is None
    assert (await routed(balcao, "aaaa")).unit_code == "PRAE"


async def test_mentions_forward_to_the_campus_mentioned(with_rules: WithRules) -> None:
    campus = {
        "name": "campus",
        "when": {
            "mentions": {
                "CUS": ["campus de Sinop", "Sinop"],
                "CUA": ["Araguaia", "Barra do Garças"],
            }
        },
        "then": {"forward_to_mentioned": True},
    }
    balcao = await with_rules([campus])
    found = await routed(balcao, "Falta professor no câmpus de Barra do Garcas")
    assert found.unit_code == "CUA"
    assert found.routing_reason is not None
    assert "CUA" in found.routing_reason
    assert (await routed(balcao, "em SINOP a luz caiu")).unit_code == "CUS"
    assert (await routed(balcao, "em Cuiabá a luz caiu")).unit_code is None


async def test_opening_hours(with_rules: WithRules) -> None:
    balcao = await with_rules(
        [
            {
                "name": "plantao",
                "when": {"hours": "closed"},
                "then": {"priority": "high", "tags": ["fora-do-horario"]},
            }
        ]
    )
    inside = await routed(balcao, "texto")  # the fake clock starts on Tuesday at 10:00
    assert inside.tags == ()
    balcao.clock.set(dt.datetime(2026, 12, 1, 20, 0, tzinfo=CUIABA))
    outside = await routed(balcao, "texto")
    assert outside.tags == ("fora-do-horario",)
    assert outside.priority == "high"
    assert outside.routing_reason == "fora do horário de atendimento"


async def test_inside_opening_hours(with_rules: WithRules) -> None:
    balcao = await with_rules([rule(hours="open")])
    assert (await routed(balcao, "x")).unit_code == "PRAE"
    balcao.clock.set(dt.datetime(2026, 12, 5, 10, 0, tzinfo=CUIABA))  # a Saturday
    assert (await routed(balcao, "x")).unit_code is None


async def test_identified_or_anonymous(with_rules: WithRules) -> None:
    balcao = await with_rules(
        [
            {
                "name": "anonimas",
                "when": {"identity": "anonymous"},
                "then": {"confidential": True, "tags": ["anonima"]},
            },
            rule("identificadas", identity="identified", kinds=["reclamacao"]),
        ]
    )
    anonymous = await routed(balcao, "x", kind=Kind.DENUNCIA, anonymous=True)
    assert anonymous.confidential is True
    assert anonymous.tags == ("anonima",)
    named = await routed(balcao, "x")
    assert named.confidential is False
    assert named.unit_code == "PRAE"
