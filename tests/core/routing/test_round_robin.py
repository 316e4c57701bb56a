"""Round-robin among a unit's members: even shares, people marked away are skipped."""

from __future__ import annotations

from collections import Counter

from balcao.testing import Balcao

from .conftest import WithRules, routed

ROUND_ROBIN = {
    "name": "rodizio-sti",
    "when": {"words_any": ["sistema", "senha"]},
    "then": {"round_robin": "STI"},
}


async def set_away(balcao: Balcao, email: str, away: bool = True) -> None:
    actor, _ = await balcao.user("atendente", email=email, unit="STI")
    await balcao.desk.set_away(actor.user_id or 0, away, actor)


async def members(balcao: Balcao, *names: str) -> dict[int, str]:
    found = {}
    for name in names:
        actor, _ = await balcao.user("atendente", email=f"{name}@example.org", unit="STI")
        assert actor.user_id is not None
        found[actor.user_id] = name
    return found


async def test_one_hundred_assignments_are_shared_evenly(with_rules: WithRules) -> None:
    balcao = await with_rules([ROUND_ROBIN])
    team = await members(balcao, "ana", "bia", "caio", "davi")
    await balcao.user("atendente", email="outra@example.org", unit="PRAE")
    await set_away(balcao, "davi@example.org")
    shares: Counter[str] = Counter()
    for n in range(100):
        found = await routed(balcao, f"esqueci a senha do sistema ({n})")
        assert found.assignee_id is not None
        shares[team[found.assignee_id]] += 1
    assert set(shares) == {"ana", "bia", "caio"}  # davi is away, outra is in another unit
    assert sorted(shares.values()) == [33, 33, 34]


async def test_back_from_away_joins_the_rotation_first(with_rules: WithRules) -> None:
    balcao = await with_rules([ROUND_ROBIN])
    team = await members(balcao, "ana", "bia")
    await set_away(balcao, "bia@example.org")
    first = [team[(await routed(balcao, "senha")).assignee_id or 0] for _ in range(3)]
    await set_away(balcao, "bia@example.org", away=False)
    after = [team[(await routed(balcao, "senha")).assignee_id or 0] for _ in range(4)]
    assert first == ["ana", "ana", "ana"]
    assert after == ["bia", "ana", "bia", "ana"]


async def test_reason_names_the_person_chosen(with_rules: WithRules) -> None:
    balcao = await with_rules([ROUND_ROBIN])
    await members(balcao, "ana")
    found = await routed(balcao, "sistema fora do ar")
    assert found.routed_by == "rodizio-sti"
    assert found.routing_reason is not None
    assert found.routing_reason.endswith("rodízio em STI: atribuída a Atendente")


async def test_nobody_available_leaves_it_unassigned_in_triage(with_rules: WithRules) -> None:
    balcao = await with_rules([ROUND_ROBIN])
    await members(balcao, "ana")
    await set_away(balcao, "ana@example.org")
    found = await routed(balcao, "sistema fora do ar")
    assert found.assignee_id is None
    assert found.routing_reason is not None
    assert "nenhum membro disponível" in found.routing_reason


async def test_assign_to_a_named_person(with_rules: WithRules) -> None:
    rule = {"name": "ti", "when": {"words_any": ["wifi"]}, "then": {"assign_to": "ana@example.org"}}
    balcao = await with_rules([rule])
    team = await members(balcao, "ana", "bia")
    found = await routed(balcao, "o wifi caiu")
    assert found.assignee_id is not None
    assert team[found.assignee_id] == "ana"


async def test_staff_mark_themselves_away_on_their_account_page(with_rules: WithRules) -> None:
    from tests.core.staff.conftest import PASSWORD, csrf, login

    balcao = await with_rules([ROUND_ROBIN])
    team = await members(balcao, "ana")
    await balcao.user("atendente", email="bia@example.org", unit="STI", password=PASSWORD)
    await login(balcao, "bia@example.org")
    token = await csrf(balcao, "/staff/conta")
    page = await balcao.client.post(
        "/staff/conta/ausencia", data={"away": "sim", "_csrf_token": token}
    )
    assert "Voltar a receber" in page.text
    chosen = {team.get((await routed(balcao, "senha")).assignee_id or 0) for _ in range(4)}
    assert chosen == {"ana"}
