"""``balcao backup`` and ``balcao restore``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from balcao._config import load_settings

__all__ = ["backup_command", "restore_command"]


@click.command("backup")
@click.option("--to", "folder", required=True, type=click.Path(file_okay=False, path_type=Path))
def backup_command(folder: Path) -> None:
    """Copia o banco de dados e a pasta de arquivos para uma nova pasta em --to."""
    from balcao._backup import KEY_REMINDER, BackupError, backup

    settings = load_settings()  # a bad setting: main() prints it in one line
    try:
        target = backup(settings, folder, dt.datetime.now(dt.UTC))
    except (BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"cópia gravada em {target}")
    click.echo(f"atenção: {KEY_REMINDER}", err=True)


@click.command("restore")
@click.option(
    "--from", "source", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option("--replace", is_flag=True, help="Substituir um banco e arquivos que já existem.")
def restore_command(source: Path, replace: bool) -> None:
    """Restaura o banco de dados e a pasta de arquivos de uma cópia (a chave vem à parte)."""
    from balcao._backup import KEY_REMINDER, BackupError, restore

    try:
        restore(load_settings(), source, replace)
    except (BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"cópia restaurada de {source}")
    click.echo(f"atenção: {KEY_REMINDER}", err=True)
