"""The documented examples: the university rule set with its pt-BR cases, and the example
rule plugin, installed and run as an outside developer's plugin would be."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from balcao import Kind, State
from balcao.testing import Balcao, RecordingChannel

from .cli import balcao_cli

EXAMPLES = Path(__file__).parents[3] / "docs" / "examples" / "routing"
RULES = EXAMPLES / "universidade.toml"
CASES = EXAMPLES / "casos.csv"
PLUGIN = EXAMPLES / "balcao-regras-exemplo" / "src" / "balcao_regras_exemplo" / "__init__.py"


def example_plugin() -> ModuleType:
    spec = importlib.util.spec_from_file_location("balcao_regras_exemplo", PLUGIN)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
async def university(make_balcao: Any, recording_channel: RecordingChannel) -> Balcao:
    return await make_balcao(
        plugins=[(recording_channel.name, recording_channel), ("regras_exemplo", example_plugin())],
        environ={"BALCAO_CONFIG": str(RULES)},
    )


def cases() -> list[dict[str, str]]:
    with CASES.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


async def intake(balcao: Balcao, case: dict[str, str]) -> Any:
    balcao.clock.set(
        dt.datetime.fromisoformat(case["at"]).replace(tzinfo=balcao.desk.calendar.timezone)
    )
    anonymous = case["anonymous"] == "sim"
    receipt = await balcao.manifestation(
        case["text"],
        kind=case["kind"],
        channel=case["channel"],
        anonymous=anonymous,
        **({"citizen": None} if anonymous else {}),
    )
    return await balcao.desk.get(receipt.protocol)


async def test_every_documented_case_routes_as_documented(university: Balcao) -> None:
    for case in cases():
        found = await intake(university, case)
        decision = case["expected"].split(" by ")[0].split()
        if decision[0] == "forward":
            assert (found.unit_code, found.state) == (decision[1], State.FORWARDED), case["text"]
        else:
            assert found.unit_code is None, case["text"]
        if " by " in case["expected"]:
            assert found.routed_by.endswith(case["expected"].split(" by ")[1]), case["text"]


async def test_the_example_plugin_rule_decides_urgent_hospital_cases(university: Balcao) -> None:
    found = await intake(
        university,
        {
            "text": "Minha cirurgia cancelada pela segunda vez no Hospital Universitario",
            "kind": "reclamacao",
            "channel": "whatsapp",
            "anonymous": "",
            "at": "2026-12-01T10:00",
        },
    )
    assert found.unit_code == "HUJM"
    assert found.routed_by == "urgencia-hospitalar"
    assert found.priority == "urgent"
    assert found.tags == ("saude", "urgente")
    assert found.routing_reason == (
        "hospital (hospital universitário) com urgência (cirurgia cancelada)"
    )


async def test_without_urgency_the_declarative_hospital_rule_decides(university: Balcao) -> None:
    found = await intake(
        university,
        {
            "text": "Demora para marcar consulta médica no Júlio Müller",
            "kind": "reclamacao",
            "channel": "webform",
            "anonymous": "",
            "at": "2026-12-01T10:00",
        },
    )
    assert (found.unit_code, found.routed_by, found.priority) == (
        "HUJM",
        "hospital-universitario",
        "normal",
    )


async def test_the_plugin_reads_its_configuration(
    make_balcao: Any, recording_channel: RecordingChannel
) -> None:
    balcao = await make_balcao(
        plugins=[(recording_channel.name, recording_channel), ("regras_exemplo", example_plugin())],
        settings={"plugins": {"regras_exemplo": {"unidade": "HU-SAUDE", "urgencia": ["socorro"]}}},
    )
    urgent = await balcao.manifestation(
        "socorro, o pronto-socorro está lotado", kind=Kind.SOLICITACAO
    )
    assert (await balcao.desk.get(urgent.protocol)).unit_code == "HU-SAUDE"
    plain = await balcao.manifestation("é urgente: a fila do HUJM está enorme")
    assert (await balcao.desk.get(plain.protocol)).unit_code is None


async def test_the_rest_is_shared_among_the_ouvidoria_in_turns(university: Balcao) -> None:
    ana, _ = await university.user("atendente", email="ana@example.org", unit="OUV")
    bia, _ = await university.user("atendente", email="bia@example.org", unit="OUV")
    case = {
        "text": "A rua em frente ao portão está escura",
        "kind": "reclamacao",
        "channel": "webform",
        "anonymous": "",
        "at": "2026-12-01T10:00",
    }
    assignees = [(await intake(university, case)).assignee_id for _ in range(4)]
    assert assignees == [ana.user_id, bia.user_id, ana.user_id, bia.user_id]


async def test_the_documented_command_passes_on_the_example_cases(tmp_path: Path) -> None:
    run = await balcao_cli(
        "routing", "test", "--file", str(CASES), cwd=tmp_path, BALCAO_CONFIG=str(RULES)
    )
    assert run.code == 0, run.out
    assert run.out[-1] == f"{len(cases())} casos, 0 divergência(s)"
