"""One label table: what a person reads on the timeline, the audit log, the reports and the
case page is pt-BR, never an internal identifier or a Python list."""

from __future__ import annotations

import re

from balcao import Citizen
from balcao._web.labels import Labels, cpf_text, internal_names, list_text
from balcao.testing import Balcao

from .conftest import csrf


def test_the_table_names_channels_actors_rules_actions_and_details() -> None:
    labels = Labels({"meet": "Atendimento por vídeo", "fake": "Canal de teste"})
    assert labels.channel("webform") == "Formulário web"
    assert labels.channel("whatsapp") == "WhatsApp"
    assert labels.channel("meet") == "Atendimento por vídeo"  # the plugin's own title wins
    assert Labels().channel("meet") == "Google Meet"  # a channel no longer installed
    assert labels.actor("citizen:webform") == "Manifestante (Formulário web)"
    assert labels.actor("citizen:cidadão") == "Manifestante"
    assert labels.actor("system:roteamento") == "Sistema (roteamento)"
    assert labels.actor("system:balcao") == "Sistema"
    assert labels.actor("plugin:falabr_export") == "Extensão (falabr_export)"
    assert labels.actor("user:ana@ufmt.br") == "ana@ufmt.br"
    assert labels.rule("fallback") == "regra padrão"
    assert labels.action("identity_view") == "Consulta à identidade"
    assert labels.action("units_saved") == "Unidades salvas"
    transition = {"source": "triage", "target": "forwarded", "reason": "à PRAE"}
    assert labels.detail("transition", transition) == [
        "de “Em triagem” para “Encaminhada à unidade”",
        "motivo: à PRAE",
    ]
    saved = {"how": "csv", "codes": ["PRAE", "RU-CBA", "PROAD"]}
    assert labels.detail("units_saved", saved) == [
        "forma: arquivo CSV",
        "unidades: PRAE, RU-CBA, PROAD",
    ]
    assert labels.detail("extend_deadline", {"purpose": "unit"}) == ["prazo: Resposta da unidade"]
    assert list_text(["PRAE", "RU-CBA"]) == "PRAE, RU-CBA"
    assert cpf_text("52998224725") == "529.982.247-25"
    assert cpf_text("529.982.247-25") == "529.982.247-25"
    assert cpf_text("123") == "123"


def test_internal_names_leave_out_kinds_that_are_words() -> None:
    names = internal_names(Labels())
    assert {"triage", "awaiting_citizen", "webform", "identity_view", "citizen:"} <= set(names)
    assert {"elogio", "simplifique", "whatsapp"}.isdisjoint(names)
    assert "denuncia" in names  # the label is "Denúncia": without the accent it is an id


async def _ouvidor(balcao: Balcao) -> dict[str, str]:
    return {**(await balcao.user("ouvidor"))[1], "x-csrftoken": await csrf(balcao)}


def _text(html: str) -> str:
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


async def test_timeline_audit_and_identity_read_in_portuguese(balcao: Balcao) -> None:
    citizen = Citizen(name="Lia Prado", email="lia@example.org", cpf="52998224725")
    receipt = await balcao.manifestation("Refeição fria no RU", citizen=citizen)
    ouvidor, _ = await balcao.user("ouvidor")
    await balcao.desk.forward(receipt.protocol, "PRAE", "Refeições frias", ouvidor)
    headers = await _ouvidor(balcao)
    units = "codigo,nome,email,superior\nPRAE,Pró-reitoria,,\nRU-CBA,Restaurante,,PRAE\n"
    await balcao.client.post(
        "/staff/unidades/importar",
        files={"file": ("u.csv", units.encode(), "text/csv")},
        headers=headers,
    )
    url = f"/staff/manifestacoes/{receipt.protocol}"
    shown = await balcao.client.post(
        f"{url}/identidade", data={"reason": "contato"}, headers=headers
    )
    case = _text(shown.text)
    assert "529.982.247-25" in case
    assert "Sistema (roteamento)" in case and "Manifestante (Canal de teste)" in case
    assert "(regra padrão)" in case
    for leaked in ("citizen:", "system:", "fallback", "Manifestante via"):
        assert leaked not in case, leaked
    audit = _text((await balcao.client.get("/staff/auditoria", headers=headers)).text)
    for expected in (
        "Consulta à identidade",
        "Unidades salvas",
        "unidades: PRAE, RU-CBA",
        "forma: arquivo CSV",
        "de “Em triagem” para “Encaminhada à unidade”",
        "Mudança de situação",
        "ouvidor@example.org",
    ):
        assert expected in audit, expected
    for leaked in ("identity_view", "units_saved", "['PRAE'", "source:", "user:", "citizen:"):
        assert leaked not in audit, leaked


async def test_reports_name_channels_as_the_inbox_does(balcao: Balcao) -> None:
    await balcao.manifestation("Refeição fria no RU")
    await balcao.manifestation("Denúncia", kind="denuncia", anonymous=True, citizen=None)
    headers = await _ouvidor(balcao)
    page = _text((await balcao.client.get("/staff/relatorios", headers=headers)).text)
    assert "Canal de teste" in page
    assert "Comunicação (denúncia anônima)" in page
    assert re.search(r"\bfake\b", page) is None
