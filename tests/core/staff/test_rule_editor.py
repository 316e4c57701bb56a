"""Routing rules edited in the browser: stored as versions, tried on the latest
manifestations before saving, audited, refused with the rule's name when bad, restorable,
and in force for the next decision without a restart."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from balcao import Actor, Kind
from balcao._db.engine import Database
from balcao._db.models import AuditEntry
from balcao._routing.stored import save_version
from balcao.testing import Balcao, RecordingChannel

from .conftest import create_user, login, post_form

RU_RULE = """
[[routing.rules]]
name = "restaurante"
priority = 5
when.words_any = ["RU", "refeição"]
then.forward_to = "PRAE"
"""
TOML_RULE = {
    "name": "biblioteca",
    "priority": 10,
    "when": {"words_any": ["livro"]},
    "then": {"forward_to": "BIB"},
}


async def _ouvidor_balcao(make_balcao: Any) -> Balcao:
    channel = RecordingChannel()
    balcao: Balcao = await make_balcao(
        plugins=[(channel.name, channel)], settings={"routing": {"rules": [TOML_RULE]}}
    )
    await create_user(balcao, "ouvidora@ufmt.br", "ouvidor")
    await login(balcao, "ouvidora@ufmt.br")
    await post_form(balcao, "/staff/unidades", {"code": "PRAE", "name": "Pró-reitoria"})
    return balcao


async def _audit(balcao: Balcao, action: str) -> list[AuditEntry]:
    async with balcao.desk.database.read() as session:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list(await session.scalars(query))


def _tested(page: str) -> str:
    found = re.search(r'name="tested" value="([0-9a-f]+)"', page)
    assert found, page
    return found.group(1)


async def _try_and_save(balcao: Balcao, source: str, **extra: str) -> Any:
    trial = await post_form(balcao, "/staff/regras/editar", {"source": source, **extra})
    assert trial.status_code == 200, trial.text
    return await post_form(
        balcao, "/staff/regras/editar", {"source": source, "tested": _tested(trial.text), **extra}
    )


async def test_a_saved_version_is_tried_first_then_audited_and_in_force(make_balcao: Any) -> None:
    balcao = await _ouvidor_balcao(make_balcao)
    old = await balcao.manifestation("A refeição do RU veio fria")
    await balcao.manifestation("Sem relação com comida")
    trial = await post_form(balcao, "/staff/regras/editar", {"source": RU_RULE, "note": "RU"})
    assert "2 manifestação(ões) testada(s); 1 teria(m) outro destino" in trial.text
    assert old.protocol in trial.text
    assert "encaminhar a PRAE (regra restaurante)" in trial.text
    assert "ficar na triagem (nenhuma regra)" in trial.text
    assert await _audit(balcao, "routing_rules_saved") == []  # a dry run writes nothing

    saved = await post_form(
        balcao,
        "/staff/regras/editar",
        {"source": RU_RULE, "note": "RU", "tested": _tested(trial.text)},
    )
    assert saved.url.path == "/staff/regras"
    assert "Versão 1 salva" in saved.text and "banco de dados" in saved.text
    [entry] = await _audit(balcao, "routing_rules_saved")
    assert (entry.actor, entry.detail["version"]) == ("user:ouvidora@ufmt.br", 1)
    assert "Regras de roteamento salvas" in (await balcao.client.get("/staff/auditoria")).text

    new = await balcao.manifestation("Outra refeição ruim no RU")
    found = await balcao.desk.get(new.protocol)
    assert (found.unit_code, found.routed_by) == ("PRAE", "restaurante")


async def test_a_version_saved_elsewhere_is_used_by_the_next_decision(make_balcao: Any) -> None:
    """Another instance saving a version (straight into the shared database) is followed
    without a restart or a message between instances."""
    balcao = await _ouvidor_balcao(make_balcao)
    before = await balcao.manifestation("refeição fria", kind=Kind.RECLAMACAO)
    assert (await balcao.desk.get(before.protocol)).unit_code is None
    async with balcao.desk.database.write() as session:
        await save_version(session, balcao.desk.now(), Actor.system(), RU_RULE)
    after = await balcao.manifestation("refeição fria", kind=Kind.RECLAMACAO)
    assert (await balcao.desk.get(after.protocol)).unit_code == "PRAE"
    api = await balcao.client.get(
        "/api/v1/routing/rules", headers=(await balcao.user("auditor"))[1]
    )
    assert [(r["name"], r["source"]) for r in api.json()] == [
        ("restaurante", "database"),
        ("biblioteca", "config"),
    ]


async def test_versions_saved_by_another_process_hold_for_the_next_registration(
    make_balcao: Any,
) -> None:
    """This process remembers the rules it last routed with; another process (its own
    connections to the shared database) saving a version with the rule, then one without
    it, is followed by the very next registration each time."""
    balcao = await _ouvidor_balcao(make_balcao)
    first = await balcao.manifestation("refeição fria")
    assert (await balcao.desk.get(first.protocol)).unit_code is None
    other = Database(balcao.desk.settings.database_url)
    try:
        await _save_elsewhere(other, balcao, RU_RULE)
        ruled = await balcao.manifestation("refeição fria")
        assert (await balcao.desk.get(ruled.protocol)).unit_code == "PRAE"
        await _save_elsewhere(other, balcao, "")
        unruled = await balcao.manifestation("refeição fria")
        assert (await balcao.desk.get(unruled.protocol)).unit_code is None
    finally:
        await other.dispose()


async def _save_elsewhere(other: Database, balcao: Balcao, source: str) -> None:
    async with other.write() as session:
        await save_version(session, balcao.desk.now(), Actor.system(), source)


async def test_a_bad_rule_is_refused_with_its_name_and_the_reason(make_balcao: Any) -> None:
    balcao = await _ouvidor_balcao(make_balcao)
    typo = RU_RULE.replace("then.forward_to", "then.foward_to")
    refused = await post_form(balcao, "/staff/regras/editar", {"source": typo})
    assert refused.status_code == 422
    assert (
        "regra &#39;restaurante&#39;: chave &#39;then.foward_to&#39; desconhecida" in refused.text
    )
    clash = RU_RULE.replace('name = "restaurante"', 'name = "biblioteca"')
    refused = await post_form(balcao, "/staff/regras/editar", {"source": clash})
    assert refused.status_code == 422
    assert (
        "regra &#39;biblioteca&#39;: o nome já é usado por uma regra de balcao.toml" in refused.text
    )
    broken = await post_form(balcao, "/staff/regras/editar", {"source": "[[routing.rules]\n"})
    assert broken.status_code == 422 and "texto inválido (formato TOML)" in broken.text
    # a tested text that was then changed is tried again, not saved
    trial = await post_form(balcao, "/staff/regras/editar", {"source": RU_RULE})
    changed = await post_form(
        balcao,
        "/staff/regras/editar",
        {"source": RU_RULE.replace("priority = 5", "priority = 6"), "tested": _tested(trial.text)},
    )
    assert "testada(s)" in changed.text
    assert await _audit(balcao, "routing_rules_saved") == []


async def test_versions_are_listed_and_an_old_one_restored(make_balcao: Any) -> None:
    balcao = await _ouvidor_balcao(make_balcao)
    await _try_and_save(balcao, RU_RULE, note="primeira")
    second = RU_RULE.replace("PRAE", "DCE")
    await _try_and_save(balcao, second, note="segunda")
    listing = await balcao.client.get("/staff/regras")
    assert "primeira" in listing.text and "segunda" in listing.text
    assert "/staff/regras/editar?versao=1" in listing.text
    loaded = await balcao.client.get("/staff/regras/editar?versao=1")
    assert "PRAE" in loaded.text and "Texto da versão 1 carregado" in loaded.text
    restored = await _try_and_save(balcao, RU_RULE, restored_from="1")
    assert "Versão 3 salva" in restored.text
    [entry] = await _audit(balcao, "routing_rules_restored")
    assert (entry.detail["version"], entry.detail["restored_from"]) == (3, 1)
    shown = await balcao.client.get("/staff/regras/versoes/3")
    assert "Restaurada da versão" in shown.text
    case = await balcao.manifestation("RU fechado")
    assert (await balcao.desk.get(case.protocol)).unit_code == "PRAE"


async def test_readers_see_versions_but_only_the_ouvidor_edits(make_balcao: Any) -> None:
    balcao = await _ouvidor_balcao(make_balcao)
    await _try_and_save(balcao, RU_RULE)
    await create_user(balcao, "ana@ufmt.br", "atendente")
    await login(balcao, "ana@ufmt.br")
    page = await balcao.client.get("/staff/regras")
    assert "Como as regras se combinam" in page.text and "restaurante" in page.text
    assert "/staff/regras/editar" not in page.text
    assert (await balcao.client.get("/staff/regras/editar")).status_code == 403
    refused = await post_form(balcao, "/staff/regras/editar", {"source": RU_RULE})
    assert refused.status_code == 403
