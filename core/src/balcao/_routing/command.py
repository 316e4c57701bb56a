"""``balcao routing test``: try the rules on an example or a table of cases, writing nothing."""

from __future__ import annotations

import asyncio
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
import msgspec

from balcao._config import ConfigError, Settings, load_settings
from balcao._domain.kinds import Kind
from balcao._host import PluginError

if TYPE_CHECKING:
    from balcao._routing.dryrun import Example, Explanation
    from balcao._runtime import Runtime

__all__ = ["routing"]

MISMATCH_EXIT = 1


class _BadInput(click.ClickException):
    exit_code = 2


def _dry_settings() -> Settings:
    from balcao._runtime import KEY_FILE

    settings = load_settings()
    if settings.secret_key or settings.secret_key_file or (settings.data_dir / KEY_FILE).exists():
        return settings
    # No key yet: a dry run reads no identity, and must not create the key file.
    return msgspec.structs.replace(settings, secret_key=secrets.token_urlsafe(48))


def _runtime() -> Runtime:
    from balcao._runtime import build_runtime

    try:
        return build_runtime(_dry_settings())
    except (ConfigError, PluginError, ValueError) as exc:
        raise _BadInput(str(exc)) from exc


def _show(found: Explanation) -> None:
    click.echo(found.headline)
    for line in found.details:
        click.echo(f"  {line}")
    for warning in found.warnings:
        click.echo(warning, err=True)


async def _one(runtime: Runtime, example: Example) -> None:
    from balcao._routing.dryrun import explain

    try:
        _show(await explain(runtime.desk, example))
    finally:
        await runtime.close()


async def _table(runtime: Runtime, path: Path) -> int:
    from balcao._routing.dryrun import read_cases, run_cases

    try:
        results = await run_cases(runtime.desk, read_cases(path, runtime.desk))
    finally:
        await runtime.close()
    for result in results:
        if result.ok:
            click.echo(f"ok linha {result.line}: {result.got}")
        else:
            click.echo(
                f"DIVERGE linha {result.line}: esperado '{result.expected}', obtido '{result.got}'"
            )
    for warning in dict.fromkeys(w for r in results for w in r.warnings):
        click.echo(warning, err=True)
    wrong = sum(not r.ok for r in results)
    click.echo(f"{len(results)} casos, {wrong} divergência(s)")
    return wrong


@click.group()
def routing() -> None:
    """Regras de roteamento."""


@routing.command("test")
@click.option("--kind", type=click.Choice([k.value for k in Kind]), help="Tipo da manifestação.")
@click.option("--channel", help="Canal de origem (ex.: webform, whatsapp).")
@click.option("--text", help="Texto da manifestação.")
@click.option("--subject", default="", help="Assunto (opcional).")
@click.option("--anonymous", is_flag=True, help="Manifestação anônima.")
@click.option("--at", "at_text", help="Data e hora (ISO 8601); padrão: agora.")
@click.option(
    "--file",
    "table",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Tabela CSV de casos: kind, channel, text, expected [, subject, anonymous, at].",
)
def routing_test(
    kind: str | None,
    channel: str | None,
    text: str | None,
    subject: str,
    anonymous: bool,
    at_text: str | None,
    table: Path | None,
) -> None:
    """Mostra qual regra encaminharia a manifestação, e por quê (nada é gravado)."""
    from balcao._routing.dryrun import Example, parse_time

    if table is not None:
        _test_table(table)
        return
    if not (kind and channel and text):
        raise _BadInput("informe --kind, --channel e --text (ou --file com uma tabela de casos)")
    runtime = _runtime()
    try:
        at = parse_time(at_text, runtime.desk) if at_text else None
    except ValueError as exc:
        raise _BadInput(f"--at: data e hora inválida '{at_text}' (use ISO 8601)") from exc
    example = Example(Kind(kind), channel, text, subject, anonymous, at)
    asyncio.run(_one(runtime, example))


def _test_table(table: Path) -> None:
    from balcao._routing.dryrun import CaseError

    runtime = _runtime()
    try:
        wrong = asyncio.run(_table(runtime, table))
    except CaseError as exc:
        raise _BadInput(f"{table.name}: {exc}") from exc
    if wrong:
        sys.exit(MISMATCH_EXIT)
