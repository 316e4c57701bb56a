"""One test per hook specification (the docs test checks that each has one)."""

from __future__ import annotations

from pathlib import Path

import click
import msgspec
from click.testing import CliRunner
from litestar import get
from sqlalchemy import text

from balcao import (
    Access,
    ActionSpec,
    Actor,
    CommandSpec,
    ExporterSpec,
    Kind,
    Manifestation,
    MigrationSpec,
    RoutingDecision,
    RoutingRuleSpec,
    State,
    hookimpl,
)
from balcao.testing import Balcao, plugins_disabled


class GreeterConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    greeting: str = "Olá"


async def test_hook_balcao_config_type(make_balcao) -> None:  # type: ignore[no-untyped-def]
    seen: list[GreeterConfig] = []

    class Greeter:
        @hookimpl
        def balcao_config_type(self) -> type[GreeterConfig]:
            return GreeterConfig

        @hookimpl
        def balcao_register_jobs(self, config: GreeterConfig) -> list[object]:
            seen.append(config)
            return []

    b = await make_balcao(
        plugins=[("greeter", Greeter())], environ={"BALCAO_GREETER_GREETING": "Bom dia"}
    )
    assert seen == [GreeterConfig(greeting="Bom dia")]
    assert b.runtime.host.configs["greeter"] == GreeterConfig(greeting="Bom dia")


async def test_hook_balcao_register_channels(balcao: Balcao) -> None:
    assert balcao.desk.channels["fake"].plugin == "fake"
    assert (
        await balcao.client.post(
            "/channels/fake/inbound", json={"id": "1", "sender": "a", "text": "oi"}
        )
    ).status_code == 200


async def test_hook_balcao_register_exporters(make_balcao) -> None:  # type: ignore[no-untyped-def]
    @get("/count", opt={"access": Access.AUDIT})
    async def count() -> dict[str, int]:
        return {"count": 1}

    @get("/undeclared", opt={"roles": frozenset({"ouvidor"})})
    async def undeclared() -> dict[str, int]:
        return {"count": 1}

    class Exporter:
        @hookimpl
        def balcao_register_exporters(self) -> list[ExporterSpec]:
            routes = [count, undeclared]
            return [ExporterSpec(name="contagem", title="Contagem", route_handlers=routes)]

    b = await make_balcao(plugins=[("contagem", Exporter())])
    assert (await b.client.get("/exports/contagem/count")).status_code == 401
    _, atendente = await b.user("atendente")
    assert (await b.client.get("/exports/contagem/count", headers=atendente)).status_code == 403
    _, auditor = await b.user("auditor")
    response = await b.client.get("/exports/contagem/count", headers=auditor)
    assert response.json() == {"count": 1}
    # A route that names no action of the access policy is closed to everyone.
    _, ouvidor = await b.user("ouvidor")
    closed = await b.client.get("/exports/contagem/undeclared", headers=ouvidor)
    assert closed.status_code == 403


async def test_hook_balcao_register_routing_rules(make_balcao) -> None:  # type: ignore[no-untyped-def]
    async def library(m: Manifestation) -> RoutingDecision | None:
        if "biblioteca" in m.description.lower():
            return RoutingDecision(
                forward_to="BIBLIO", reason="menciona 'biblioteca'", tags=("acervo",)
            )
        return None

    async def broken(m: Manifestation) -> RoutingDecision | None:
        raise RuntimeError("regra com defeito")

    class Rules:
        @hookimpl
        def balcao_register_routing_rules(self) -> list[RoutingRuleSpec]:
            return [
                RoutingRuleSpec(name="quebrada", priority=1, evaluate=broken),
                RoutingRuleSpec(name="biblioteca", priority=50, evaluate=library),
            ]

    b = await make_balcao(plugins=[("regras", Rules())])
    routed = await b.desk.get((await b.manifestation("A Biblioteca fecha cedo")).protocol)
    assert (routed.state, routed.unit_code, routed.routed_by) == (
        State.FORWARDED,
        "BIBLIO",
        "biblioteca",
    )
    assert routed.tags == ("acervo",)
    other = await b.desk.get((await b.manifestation("Outro assunto")).protocol)
    assert (other.state, other.routed_by) == (State.TRIAGE, "fallback")
    denuncia = await b.desk.get(
        (await b.manifestation("Desvio na biblioteca", kind=Kind.DENUNCIA)).protocol
    )
    assert (denuncia.state, denuncia.unit_code) == (State.TRIAGE, None)
    assert denuncia.tags == ("acervo",)
    assert "denúncia" in (denuncia.routing_reason or "")


def test_hook_balcao_register_commands(monkeypatch, install_plugin) -> None:  # type: ignore[no-untyped-def]
    install_plugin(
        "hello",
        '''
import click
from balcao import CommandSpec, hookimpl

@click.command("ola")
@click.option("--nome", default="mundo")
def ola(nome):
    """Diz olá."""
    click.echo(f"olá, {nome}")

@hookimpl
def balcao_register_commands():
    return [CommandSpec(command=ola)]
''',
    )
    for name, value in plugins_disabled(keep=("hello",)).items():
        monkeypatch.setenv(name, value)
    from balcao.cli import cli

    runner = CliRunner()
    assert "ola" in runner.invoke(cli, ["--help"]).output
    assert runner.invoke(cli, ["ola", "--nome", "Ana"]).output == "olá, Ana\n"
    _ = (click, CommandSpec)


async def test_hook_balcao_register_migrations(make_balcao) -> None:  # type: ignore[no-untyped-def]
    class Demo:
        @hookimpl
        def balcao_register_migrations(self) -> list[MigrationSpec]:
            return [MigrationSpec(location=Path(__file__).parent / "migrations_demo")]

    b = await make_balcao(plugins=[("demo", Demo())])
    receipt = await b.manifestation()
    async with b.desk.database.write() as session:
        await session.execute(
            text(
                "INSERT INTO demo_notes (manifestation_id, text) "
                "SELECT id, 'ok' FROM manifestations"
                " WHERE protocol = :p"
            ),
            {"p": receipt.protocol},
        )
    async with b.desk.database.read() as session:
        assert (await session.execute(text("SELECT text FROM demo_notes"))).scalar_one() == "ok"


async def test_hook_balcao_register_actions(make_balcao) -> None:  # type: ignore[no-untyped-def]
    class Actions:
        @hookimpl
        def balcao_register_actions(self) -> list[ActionSpec]:
            return [
                ActionSpec(
                    name="demo.print",
                    title="Imprimir",
                    path="/exports/demo/{protocol}/pdf",
                    roles=frozenset({"ouvidor"}),
                )
            ]

    b = await make_balcao(plugins=[("demo", Actions())])
    receipt = await b.manifestation()
    _, ouvidor = await b.user("ouvidor")
    _, atendente = await b.user("atendente")
    path = f"/api/v1/manifestations/{receipt.protocol}"
    shown = (await b.client.get(path, headers=ouvidor)).json()["actions"]
    assert shown == [
        {
            "name": "demo.print",
            "title": "Imprimir",
            "method": "GET",
            "path": f"/exports/demo/{receipt.protocol}/pdf",
            "plugin": "demo",
        }
    ]
    assert (await b.client.get(path, headers=atendente)).json()["actions"] == []


async def test_a_reopened_manifestation_is_routed_again(make_balcao) -> None:  # type: ignore[no-untyped-def]
    decide = {"forward": False}

    async def rule(m: Manifestation) -> RoutingDecision | None:
        if decide["forward"]:
            return RoutingDecision(forward_to="PRAE", reason="assistência estudantil")
        return None

    class Rules:
        @hookimpl
        def balcao_register_routing_rules(self) -> list[RoutingRuleSpec]:
            return [RoutingRuleSpec(name="prae", evaluate=rule)]

    b = await make_balcao(plugins=[("regras", Rules())])
    staff = Actor(kind="user", name="atendente@example.org", role="atendente")
    receipt = await b.manifestation("Auxílio moradia atrasado")
    await b.desk.transition(receipt.protocol, State.ANSWERED, staff, "respondida")
    await b.desk.transition(receipt.protocol, State.CLOSED, staff, "concluída")
    decide["forward"] = True
    reopened = await b.desk.transition(receipt.protocol, State.TRIAGE, staff, "cidadão voltou")
    assert (reopened.state, reopened.unit_code, reopened.routed_by) == (
        State.FORWARDED,
        "PRAE",
        "prae",
    )
    decide["forward"] = False
    still = await b.desk.transition(receipt.protocol, State.TRIAGE, staff, "recolhida")
    assert (still.state, still.routed_by) == (State.TRIAGE, "prae")  # not a reopening
