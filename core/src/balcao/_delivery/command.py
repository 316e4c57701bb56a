"""``balcao deliveries list|replay``: the dead letter from the command line."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from typing import Any

import click

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
    """Entregas que falharam (dead letter): listar e reenviar."""


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
    from balcao.cli import CommandError

    async def action(desk: Any) -> None:
        async with desk.database.write() as session:
            missing = await replay(session, queue, ids, desk.now())
            if missing:  # raised inside the transaction: nothing is replayed
                numbers = ", ".join(str(i) for i in missing)
                raise CommandError(f"{queue}: nenhuma entrega com falha com o número {numbers}")

    _run(action)
    click.echo(f"{len(set(ids))} entrega(s) de volta na fila {queue}")
