"""``GET /api/v1/routing/rules``: the rule book staff see, in evaluation order."""

from __future__ import annotations

from balcao import Manifestation, RoutingDecision, RoutingRuleSpec, hookimpl

from .conftest import WithRules


class LibraryRules:
    @hookimpl
    def balcao_register_routing_rules(self) -> list[RoutingRuleSpec]:
        async def library(draft: Manifestation) -> RoutingDecision | None:
            return None

        return [RoutingRuleSpec(name="biblioteca-codigo", priority=20, evaluate=library)]


RULES = [
    {
        "name": "ru",
        "priority": 30,
        "description": "Restaurante universitário",
        "when": {"kinds": ["reclamacao"], "words_any": ["RU"]},
        "then": {"forward_to": "PRAE"},
    },
    {
        "name": "urgente",
        "priority": 5,
        "when": {"words_any": ["urgente"]},
        "then": {"tags": ["urgente"]},
        "continue": True,
    },
]


async def test_rules_are_listed_in_evaluation_order_with_their_source(
    with_rules: WithRules,
) -> None:
    balcao = await with_rules(RULES, plugins=[("biblio", LibraryRules())])
    _, headers = await balcao.user("atendente")
    response = await balcao.client.get("/api/v1/routing/rules", headers=headers)
    assert response.status_code == 200
    listed = response.json()
    assert [(r["position"], r["name"], r["source"]) for r in listed] == [
        (1, "urgente", "config"),
        (2, "biblioteca-codigo", "plugin"),
        (3, "ru", "config"),
    ]
    assert listed[0]["continue"] is True
    assert listed[1]["plugin"] == "biblio"
    assert listed[2]["when"] == {"kinds": ["reclamacao"], "words_any": ["RU"]}
    assert listed[2]["then"] == {"forward_to": "PRAE"}
    assert listed[2]["description"] == "Restaurante universitário"


async def test_ouvidor_and_auditor_may_read_a_unit_member_may_not(with_rules: WithRules) -> None:
    balcao = await with_rules(RULES)
    for role, status in (("ouvidor", 200), ("auditor", 200), ("unidade", 403)):
        _, headers = await balcao.user(role, unit="PRAE" if role == "unidade" else None)
        response = await balcao.client.get("/api/v1/routing/rules", headers=headers)
        assert response.status_code == status, role
    anonymous = await balcao.client.get("/api/v1/routing/rules")
    assert anonymous.status_code == 401


async def test_staff_see_the_deciding_rule_and_reason(with_rules: WithRules) -> None:
    balcao = await with_rules(RULES)
    receipt = await balcao.manifestation("URGENTE: o RU fechou", kind="reclamacao")
    _, headers = await balcao.user("ouvidor")
    response = await balcao.client.get(
        f"/api/v1/manifestations/{receipt.protocol}", headers=headers
    )
    shown = response.json()["manifestation"]
    assert shown["routed_by"] == "urgente, ru"
    assert shown["routing_reason"] == (
        "palavras encontradas: 'urgente'; tipo reclamacao; palavras encontradas: 'RU'"
    )


async def test_staff_page_lists_the_rules_and_tests_a_text(with_rules) -> None:  # type: ignore[no-untyped-def]
    from tests.core.staff.conftest import PASSWORD, login

    balcao = await with_rules(
        [
            {
                "name": "restaurante",
                "priority": 10,
                "when": {"words_any": ["restaurante universitário", "RU"]},
                "then": {"forward_to": "PRAE"},
            }
        ]
    )
    await balcao.user("atendente", email="ana@example.org", password=PASSWORD)
    await login(balcao, "ana@example.org")
    page = await balcao.client.get("/staff/regras")
    assert page.status_code == 200
    assert "restaurante" in page.text and "balcao.toml" in page.text
    tried = await balcao.client.get(
        "/staff/regras",
        params={"kind": "reclamacao", "channel": "fake", "texto": "O RU fechou cedo"},
    )
    assert "forward PRAE by restaurante" in tried.text
    listing = await balcao.client.get("/staff")
    assert "O RU fechou cedo" not in listing.text  # a dry run registers nothing
