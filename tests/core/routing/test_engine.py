"""Order, continue, the fallback, the denúncia restriction and a failing plugin rule."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pytest

from balcao import Kind, Manifestation, RoutingDecision, RoutingRuleSpec, State, hookimpl

from .conftest import WithRules, routed


@dataclass
class CodeRules:
    """A plugin that registers routing rules written in Python."""

    rules: list[RoutingRuleSpec] = field(default_factory=list)

    @hookimpl
    def balcao_register_routing_rules(self) -> list[RoutingRuleSpec]:
        return self.rules


def forward(name: str, unit: str, priority: int = 100, **extra: object) -> dict[str, object]:
    return {
        "name": name,
        "priority": priority,
        "when": {"words_any": ["biblioteca"]},
        "then": {"forward_to": unit},
        **extra,
    }


async def test_lower_priority_runs_first_then_name(with_rules: WithRules) -> None:
    balcao = await with_rules(
        [forward("b-tarde", "B", 50), forward("z-cedo", "Z", 10), forward("a-tarde", "A", 50)]
    )
    found = await routed(balcao, "a biblioteca fechou")
    assert (found.unit_code, found.routed_by) == ("Z", "z-cedo")


async def test_ties_are_broken_by_name(with_rules: WithRules) -> None:
    balcao = await with_rules([forward("b", "B", 50), forward("a", "A", 50)])
    assert (await routed(balcao, "biblioteca")).unit_code == "A"


async def test_continue_adds_tags_and_lets_the_next_rule_decide(with_rules: WithRules) -> None:
    tagging = {
        "name": "urgente",
        "priority": 1,
        "when": {"words_any": ["urgente"]},
        "then": {"tags": ["urgente"], "priority": "urgent"},
        "continue": True,
    }
    balcao = await with_rules([tagging, forward("biblio", "SIBI", 20), forward("outra", "X", 30)])
    found = await routed(balcao, "URGENTE: a biblioteca alagou")
    assert found.unit_code == "SIBI"
    assert found.tags == ("urgente",)
    assert found.priority == "urgent"
    assert found.routed_by == "urgente, biblio"
    assert (
        found.routing_reason
        == "palavras encontradas: 'urgente'; palavras encontradas: 'biblioteca'"
    )


async def test_first_match_stops_even_when_a_later_rule_also_matches(
    with_rules: WithRules,
) -> None:
    tag_later = {"name": "z", "when": {"words_any": ["biblioteca"]}, "then": {"tags": ["z"]}}
    balcao = await with_rules([forward("a", "SIBI"), tag_later])
    found = await routed(balcao, "biblioteca")
    assert found.tags == ()
    assert found.routed_by == "a"


async def test_fallback_leaves_it_in_triage(with_rules: WithRules) -> None:
    balcao = await with_rules([forward("biblio", "SIBI")])
    found = await routed(balcao, "o ônibus atrasou")
    assert found.state == State.TRIAGE
    assert found.unit_code is None
    assert found.routed_by == "fallback"
    assert found.routing_reason == "triagem (nenhuma regra se aplicou)"


async def test_forwarded_manifestation_goes_to_the_unit(with_rules: WithRules) -> None:
    balcao = await with_rules([forward("biblio", "SIBI")])
    found = await routed(balcao, "biblioteca sem ar condicionado")
    assert found.state == State.FORWARDED
    deadlines = await balcao.desk.deadlines(found.protocol)
    assert any(d.unit_code == "SIBI" for d in deadlines)


@pytest.mark.parametrize("kind", [Kind.DENUNCIA, Kind.COMUNICACAO])
async def test_denuncias_are_never_forwarded_or_assigned(with_rules: WithRules, kind: Kind) -> None:
    everything = {
        "name": "tudo",
        "when": {"words_any": ["biblioteca"]},
        "then": {"forward_to": "SIBI", "tags": ["biblioteca"], "priority": "high"},
    }
    balcao = await with_rules([everything])
    anonymous = kind is Kind.COMUNICACAO
    found = await routed(balcao, "desvio de livros da biblioteca", kind=kind, anonymous=anonymous)
    assert found.unit_code is None
    assert found.state == State.TRIAGE
    assert found.tags == ("biblioteca",)  # tagging and priority are still allowed
    assert found.priority == "high"
    assert found.routing_reason is not None
    assert "denúncia: encaminhamento automático não permitido" in found.routing_reason


async def test_a_plugin_rule_cannot_forward_a_denuncia_either(with_rules: WithRules) -> None:
    async def leak(draft: Manifestation) -> RoutingDecision:
        return RoutingDecision(reason="sempre", forward_to="PROAD", assign_to="x@example.org")

    balcao = await with_rules(
        plugins=[("vazador", CodeRules([RoutingRuleSpec(name="vaza", evaluate=leak)]))]
    )
    found = await routed(balcao, "denúncia de fraude", kind=Kind.DENUNCIA)
    assert found.unit_code is None
    assert found.assignee_id is None
    assert found.routed_by == "vaza"


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


async def test_a_failing_plugin_rule_is_skipped_and_logged(with_rules: WithRules) -> None:
    async def broken(draft: Manifestation) -> RoutingDecision | None:
        raise RuntimeError("serviço externo fora do ar")

    rules = CodeRules([RoutingRuleSpec(name="quebrada", priority=1, evaluate=broken)])
    balcao = await with_rules([forward("biblio", "SIBI", 50)], plugins=[("instavel", rules)])
    # The app's logging set-up replaces root handlers, so listen on the routing logger itself.
    recorder, logger = Recorder(), logging.getLogger("balcao.routing")
    logger.addHandler(recorder)
    try:
        found = await routed(balcao, "biblioteca")
    finally:
        logger.removeHandler(recorder)
    assert found.unit_code == "SIBI"  # intake went on with the next rule
    assert found.routed_by == "biblio"
    assert any("'quebrada'" in m and "'instavel'" in m for m in recorder.messages)


async def test_plugin_and_declarative_rules_share_one_order(with_rules: WithRules) -> None:
    async def library(draft: Manifestation) -> RoutingDecision | None:
        return RoutingDecision(reason="regra em código", forward_to="CODIGO")

    rules = CodeRules([RoutingRuleSpec(name="codigo", priority=20, evaluate=library)])
    balcao = await with_rules(
        [
            forward("antes", "ANTES", 10, when={"words_any": ["antes"]}),
            forward("depois", "DEPOIS", 30),
        ],
        plugins=[("meu-plugin", rules)],
    )
    assert (await routed(balcao, "antes da biblioteca")).unit_code == "ANTES"
    found = await routed(balcao, "biblioteca")
    assert (found.unit_code, found.routed_by) == ("CODIGO", "codigo")


async def test_disabled_rules_do_not_run(with_rules: WithRules) -> None:
    balcao = await with_rules(
        [forward("a", "A", 1, enabled=False), forward("b", "B", 2), forward("c", "C", 3)],
        routing={"disabled": ["b"]},
    )
    assert (await routed(balcao, "biblioteca")).unit_code == "C"


async def test_rules_with_and_without_words_keep_one_order(with_rules: WithRules) -> None:
    balcao = await with_rules(
        [
            forward("c-palavras", "C", 30, when={"words_any": ["sala"]}),
            forward("a-frase", "A", 10, when={"words_any": ["ar-condicionado quebrado"]}),
            forward("b-tipo", "B", 20, when={"kinds": ["reclamacao"]}),
            forward("d-todas", "D", 5, when={"words_all": ["sala", "escura"]}),
        ]
    )
    assert (await routed(balcao, "O AR CONDICIONADO QUEBRADO na sala")).unit_code == "A"
    assert (await routed(balcao, "sala escura")).unit_code == "D"
    assert (await routed(balcao, "a sala está suja")).unit_code == "B"
    assert (await routed(balcao, "a sala está suja", kind="sugestao")).unit_code == "C"
    assert (await routed(balcao, "ar condicionado", kind="sugestao")).unit_code is None


async def test_channel_and_kind_rules_keep_one_order_with_the_others(
    with_rules: WithRules,
) -> None:
    balcao = await with_rules(
        [
            forward("a-canal", "A", 10, when={"channels": ["fake"], "kinds": ["sugestao"]}),
            forward("b-outro-canal", "B", 5, when={"channels": ["whatsapp"]}),
            forward("c-tipo", "C", 20, when={"kinds": ["reclamacao", "sugestao"]}),
            forward("d-palavras", "D", 15, when={"words_any": ["sala"]}),
            forward("e-tudo", "E", 30, when={}),
        ]
    )
    assert (await routed(balcao, "a sala", kind="sugestao")).unit_code == "A"
    assert (await routed(balcao, "a sala", kind="reclamacao")).unit_code == "D"
    assert (await routed(balcao, "o pátio", kind="reclamacao")).unit_code == "C"
    assert (await routed(balcao, "o pátio", kind="elogio")).unit_code == "E"
