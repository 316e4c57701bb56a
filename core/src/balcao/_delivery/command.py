"""``balcao deliveries list|replay|purge|prune``: the dead letter and the pruning of
finished work from the command line."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable, Coroutine
from typing import Any

import click

from balcao._config import MIN_RETENTION_DAYS

__all__ = ["QUEUE_NAMES", "deliveries"]

# the keys of dead_letters.QUEUES, spelled here so that the help needs no table models
QUEUE_NAMES = ("events", "inbound", "outbox")
_QUEUE = click.Choice(QUEUE_NAMES)


def _run(action: Callable[[Any], Coroutine[Any, Any, Any]]) -> Any:
    from balcao.cli import _ensure_schema, _runtime

    runtime = _runtime()

    async def run() -> Any:
        try:
            await _ensure_schema(runtime)
            return await action(runtime.desk)
        finally:
            await runtime.close()

    return asyncio.run(run())


@click.group()
def deliveries() -> None:
    """Entregas que falharam (dead letter) e limpeza das concluídas."""


@deliveries.command("list")
@click.option("--queue", "queues", type=_QUEUE, multiple=True, help="Só esta fila.")
@click.option("--json", "as_json", is_flag=True, help="Saída em JSON.")
def list_command(queues: tuple[str, ...], as_json: bool) -> None:
    """Lista as entregas mortas e os eventos recebidos que falharam."""
    from balcao._delivery.dead_letters import dead_letters

    async def action(desk: Any) -> Any:
        async with desk.database.read() as session:
            return await dead_letters(session, queues or QUEUE_NAMES)

    letters = _run(action)
    if as_json:
        rows = [{**d.__dict__, "created_at": d.created_at.isoformat()} for d in letters]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for d in letters:
        click.echo(f"{d.queue:<8} {d.id:>8} {d.target:<16} {d.state:<8} {d.attempts:>3}  {d.error}")
    click.echo(f"{len(letters)} entrega(s) com falha")


@deliveries.command("replay")
@click.argument("queue", type=_QUEUE)
@click.argument("ids", type=int, nargs=-1, required=True)
def replay_command(queue: str, ids: tuple[int, ...]) -> None:
    """Põe de volta na fila as entregas QUEUE de números IDS (como novas)."""
    from balcao._delivery.dead_letters import replay

    _on_dead_letters(queue, ids, lambda s, desk: replay(s, queue, ids, desk.now()))
    click.echo(f"{len(set(ids))} entrega(s) de volta na fila {queue}")


@deliveries.command("purge")
@click.argument("queue", type=_QUEUE)
@click.argument("ids", type=int, nargs=-1, required=True)
def purge_command(queue: str, ids: tuple[int, ...]) -> None:
    """Apaga de vez as entregas com falha QUEUE de números IDS."""
    from balcao._delivery.dead_letters import purge

    _on_dead_letters(queue, ids, lambda s, _desk: purge(s, queue, ids))
    click.echo(f"{len(set(ids))} entrega(s) com falha apagada(s) da fila {queue}")


def _on_dead_letters(queue: str, ids: tuple[int, ...], change: Callable[..., Any]) -> None:
    from balcao.cli import CommandError

    async def action(desk: Any) -> None:
        async with desk.database.write() as session:
            missing = await change(session, desk)
            if missing:  # raised inside the transaction: nothing is changed
                numbers = ", ".join(str(i) for i in missing)
                raise CommandError(f"{queue}: nenhuma entrega com falha com o número {numbers}")

    _run(action)


@deliveries.command("prune")
@click.option(
    "--older-than-days",
    type=click.FloatRange(min=MIN_RETENTION_DAYS),
    help="Idade mínima do que é apagado (padrão: delivery_retention_days).",
)
def prune_command(older_than_days: float | None) -> None:
    """Apaga entregas feitas, eventos recebidos processados e eventos despachados mais
    antigos que a retenção (as entregas com falha ficam)."""
    from balcao._delivery.prune import prune, retention

    async def action(desk: Any) -> dict[str, int]:
        age = retention(desk) if older_than_days is None else dt.timedelta(days=older_than_days)
        return await prune(desk, age)

    deleted = _run(action)
    for queue, count in deleted.items():
        click.echo(f"{queue:<8} {count:>8} apagada(s)")
