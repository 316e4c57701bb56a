"""A bad rule stops start-up with a message naming the rule and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from balcao import ConfigError, Manifestation, RoutingDecision, RoutingRuleSpec, hookimpl


def good(name: str = "ok", **extra: Any) -> dict[str, Any]:
    return {"name": name, "when": {"words_any": ["ru"]}, "then": {"forward_to": "PRAE"}, **extra}


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (good("ru", when={"wrods_any": ["ru"]}), "regra 'ru': chave 'when.wrods_any' desconhecida"),
        (good("ru", then={"forward": "PRAE"}), "regra 'ru': chave 'then.forward' desconhecida"),
        (good("ru", stop=True), "regra 'ru': chave 'stop' desconhecida"),
        (good("ru", when={"kinds": ["queixa"]}), "regra 'ru': chave 'when.kinds[0]'"),
        (good("ru", priority="alta"), "regra 'ru': chave 'priority'"),
        (good("ru", then={"priority": "altissima"}), "regra 'ru': chave 'then.priority'"),
        (good("ru", when={"hours": "sometimes"}), "regra 'ru': chave 'when.hours'"),
        (good("ru", when={"regex": "(a)\\1"}), "regra 'ru': chave 'when.regex'"),
        (good("ru", when={"regex": "(?<=a)b"}), "regra 'ru': chave 'when.regex'"),
        (good("ru", when={"words_any": ["..."]}), "regra 'ru': chave 'when.words_any'"),
        (
            good("ru", then={"assign_to": "a@example.org", "round_robin": "STI"}),
            "regra 'ru': chave 'then.round_robin'",
        ),
        (
            good("ru", then={"forward_to_mentioned": True}),
            "regra 'ru': chave 'then.forward_to_mentioned': exige 'when.mentions'",
        ),
        ({"when": {"words_any": ["ru"]}}, "regra nº 1 (sem nome): falta a chave 'name'"),
        (good("nome com espaço"), "chave 'name'"),
    ],
)
async def test_bad_rules_are_refused_naming_rule_and_key(
    make_balcao: Any, rule: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        await make_balcao(settings={"routing": {"rules": [rule]}})
    assert message in str(raised.value)
    assert str(raised.value).startswith("[[routing.rules]]")


async def test_the_second_rule_is_named_by_position_when_it_has_no_name(
    make_balcao: Any,
) -> None:
    rules = [good("primeira"), {"priority": 1}]
    with pytest.raises(ConfigError, match="regra nº 2 \\(sem nome\\)"):
        await make_balcao(settings={"routing": {"rules": rules}})


async def test_duplicate_names_are_refused(make_balcao: Any) -> None:
    with pytest.raises(ConfigError, match="'ru' definida duas vezes"):
        await make_balcao(settings={"routing": {"rules": [good("ru"), good("ru")]}})


class Clash:
    @hookimpl
    def balcao_register_routing_rules(self) -> list[RoutingRuleSpec]:
        async def never(draft: Manifestation) -> RoutingDecision | None:
            return None

        return [RoutingRuleSpec(name="ru", evaluate=never)]


async def test_a_name_taken_by_a_plugin_rule_is_refused(make_balcao: Any) -> None:
    with pytest.raises(
        ConfigError,
        match=r"'ru' definida duas vezes \(em \[\[routing\.rules\]\] e em plugin outro\)",
    ):
        await make_balcao(
            plugins=[("outro", Clash())], settings={"routing": {"rules": [good("ru")]}}
        )


async def test_unknown_keys_in_the_routing_section_are_refused(make_balcao: Any) -> None:
    with pytest.raises(ConfigError, match=r"\[routing\].*regras"):
        await make_balcao(settings={"routing": {"regras": []}})


async def test_a_bad_rule_file_stops_start_up(make_balcao: Any, tmp_path: Path) -> None:
    config = tmp_path / "balcao.toml"
    config.write_text(
        "\n".join(
            [
                "[[routing.rules]]",
                'name = "restaurante-universitario"',
                "priority = 10",
                'when.kinds = ["reclamacao", "sugestao"]',
                'when.words_any = ["restaurante universitário", "RU"]',
                'then.forward_to = "PRAE"',
                "",
                "[[routing.rules]]",
                'name = "biblioteca"',
                'when.words_any = ["biblioteca"]',
                'then.foward_to = "SIBI"',
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as raised:
        await make_balcao(environ={"BALCAO_CONFIG": str(config)})
    assert str(raised.value) == (
        "[[routing.rules]] regra 'biblioteca': chave 'then.foward_to' desconhecida"
    )
