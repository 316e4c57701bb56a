"""The ``balcao`` command line.

Each command imports what it needs in its body: ``balcao --help`` and the light commands must
not pay for the web framework, the ORM and the migration tool.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import signal
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from balcao._annual.command import report
from balcao._backup_commands import backup_command, restore_command
from balcao._config import ConfigError, Settings, load_settings
from balcao._delivery.command import deliveries
from balcao._domain.roles import ROLES
from balcao._host import PluginError, PluginHost
from balcao._logging import configure_logging
from balcao._routing.command import routing

if TYPE_CHECKING:
    from balcao._runtime import AdminRuntime, Runtime
    from balcao._services.reseal import ResealReport
    from balcao._specs import ChannelSpec

__all__ = ["main"]

_UNAVAILABLE = 2
T = TypeVar("T")


class CommandError(click.ClickException):
    exit_code = _UNAVAILABLE


def _runtime(strict: bool = True) -> Runtime:
    from balcao._runtime import build_runtime

    return _built(lambda: build_runtime(strict=strict))


def _admin_runtime() -> AdminRuntime:
    """For the commands that touch only the schema, users and tokens: no desk, no channels."""
    from balcao._runtime import build_admin_runtime

    return _built(build_admin_runtime)


def _built(build: Callable[[], T]) -> T:
    try:
        return build()
    except (ConfigError, PluginError, ValueError) as exc:
        raise CommandError(str(exc)) from exc


class BalcaoGroup(click.Group):
    """The built-in commands plus every plugin's (``balcao_register_commands``)."""

    def _plugin_commands(self, ctx: click.Context) -> dict[str, click.Command]:
        # Loading plugins is the slow part of start-up: once per invocation, not per lookup.
        root = ctx.find_root()
        if "balcao.plugin_commands" not in root.meta:
            root.meta["balcao.plugin_commands"] = _load_plugin_commands()
        commands: dict[str, click.Command] = root.meta["balcao.plugin_commands"]
        return commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._plugin_commands(ctx)})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return super().get_command(ctx, name) or self._plugin_commands(ctx).get(name)


def _load_plugin_commands() -> dict[str, click.Command]:
    try:
        specs = PluginHost(load_settings()).collect("balcao_register_commands")
    except (ConfigError, PluginError):
        return {}
    return {s.spec.command.name or "": s.spec.command for s in specs}


@click.group(cls=BalcaoGroup)
def cli() -> None:
    """Balcão: o balcão virtual da ouvidoria."""
    try:
        settings = load_settings()
    except ConfigError:
        settings = Settings()  # the command itself reports the bad setting, in one line
    configure_logging(settings)


def _warn_unconfigured(specs: Sequence[ChannelSpec]) -> None:
    for spec in specs:
        if spec.not_configured:
            logging.getLogger("balcao.plugins").warning("%s", spec.not_configured)


async def _ensure_schema(runtime: Runtime | AdminRuntime, migrate: bool = False) -> None:
    from balcao._db.status import schema_state

    async with _reaching_database(runtime):
        state = await schema_state(runtime.database, runtime.migration_locations)
    if state.unknown:
        raise CommandError(_newer_database(state.unknown))
    if not state.pending:
        return
    first_start = state.empty and runtime.settings.is_sqlite
    if migrate or runtime.settings.migrate_on_start or first_start:
        async with _reaching_database(runtime):
            await runtime.upgrade_database()
        return
    raise CommandError(
        f"o banco de dados não está atualizado (migrações pendentes: "
        f"{', '.join(sorted(state.pending))}): faça uma cópia de segurança e rode "
        "'balcao db upgrade' (ou inicie com --migrate)"
    )


async def _schema_checked(runtime: Runtime, migrate: bool) -> None:
    # The check's pooled connections belong to this short-lived loop (asyncpg's cannot be
    # used from another): closed here, so the server's first request opens its own.
    try:
        await _ensure_schema(runtime, migrate)
    finally:
        await runtime.desk.database.dispose()


def _newer_database(unknown: frozenset[str]) -> str:
    return (
        f"o banco de dados é de uma versão mais nova do Balcão (revisões desconhecidas: "
        f"{', '.join(sorted(unknown))}): instale a versão que o criou ou restaure uma cópia"
    )


@contextlib.asynccontextmanager
async def _reaching_database(runtime: Runtime | AdminRuntime) -> AsyncIterator[None]:
    """A database that does not answer is a configuration problem: say which, in one line."""
    from sqlalchemy.exc import DBAPIError

    from balcao._db.url import connection_problem

    try:
        yield
    except (OSError, DBAPIError) as exc:
        await runtime.close()
        raise CommandError(connection_problem(runtime.settings.database_url, exc)) from None


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Start-up builds ~200,000 long-lived objects and almost no garbage (about a thousand
    cycles): the cyclic collector would scan them over and over, a tenth of the time to the
    first answer. It is paused while the app is built; what was built is then frozen out of
    every later collection (full collections while serving stay short)."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Não embutir o worker (use 'balcao worker').")
@click.option("--migrate", is_flag=True, help="Aplicar migrações pendentes antes de servir.")
def serve(host: str, port: int, no_worker: bool, migrate: bool) -> None:
    """Serve o balcão (com o worker embutido, a menos que --no-worker)."""
    with _collector_paused():
        import uvicorn

        from balcao._app import create_app_from_runtime

        runtime = _runtime()
        _warn_unconfigured([c.spec for c in runtime.desk.channels.values()])
        asyncio.run(_schema_checked(runtime, migrate))
        app = create_app_from_runtime(runtime, embedded_worker=not no_worker)
    logging.getLogger("balcao").info(
        "Balcão em http://%s:%d/ (plugins: %s)", host, port, ", ".join(runtime.host.active_names())
    )
    proxies = runtime.settings.trusted_proxies
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,  # our handlers, our format (see _logging.py)
        access_log=False,  # the app writes its own access log, without query strings
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
    )


@cli.command()
def worker() -> None:
    """Roda só o worker: entregas da caixa de saída e tarefas periódicas."""
    runtime = _runtime()
    _warn_unconfigured([c.spec for c in runtime.desk.channels.values()])

    async def run() -> None:
        await _ensure_schema(runtime)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await runtime.worker.run_forever(stop)
        finally:
            await runtime.close()

    asyncio.run(run())


@cli.group()
def db() -> None:
    """Banco de dados."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Aplica as migrações do núcleo e de todos os plugins instalados."""
    runtime = _admin_runtime()

    async def run() -> None:
        from balcao._db.status import schema_state

        try:
            async with _reaching_database(runtime):
                state = await schema_state(runtime.database, runtime.migration_locations)
                if state.unknown:
                    raise CommandError(_newer_database(state.unknown))
                await runtime.upgrade_database()
        finally:
            await runtime.close()

    asyncio.run(run())
    click.echo("banco de dados atualizado")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Saída em JSON.")
def plugins(as_json: bool) -> None:
    """Lista os plugins: nome, distribuição, versão, hooks e situação."""
    try:
        host = PluginHost(load_settings())
    except ConfigError as exc:
        raise CommandError(str(exc)) from exc
    _warn_unconfigured([c.spec for c in host.collect("balcao_register_channels")])
    rows = [r.__dict__ for r in host.records.values()]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        status = r["status"] + (f" ({r['reason']})" if r["reason"] else "")
        click.echo(
            f"{r['name']:<16} {r['distribution'] or '-':<24} {r['version'] or '-':<10} "
            f"{status}\n{'':<16} hooks: {', '.join(r['hooks']) or '-'}"
        )


@cli.group()
def keys() -> None:
    """Chaves de criptografia."""


@keys.command("reseal")
def keys_reseal() -> None:
    """Recifra com a chave atual tudo o que é cifrado (identidades, segredos TOTP, endereços,
    códigos, cargas), núcleo e plugins, e refaz os hashes de busca (depois de trocar
    BALCAO_SECRET_KEY)."""
    runtime = _runtime()

    async def run() -> ResealReport:
        try:
            await _ensure_schema(runtime)
            return await runtime.desk.reseal()
        finally:
            await runtime.close()

    report = asyncio.run(run())
    for table, count in report.changed.items():
        click.echo(f"{table}: {count} linhas recifradas")
    click.echo(f"{report.total} linhas recifradas com a chave atual")
    if report.unreadable:
        for problem in report.unreadable:
            click.echo(f"ilegível: {problem}", err=True)
        raise CommandError(
            f"{len(report.unreadable)} valores não abrem com nenhuma chave configurada: "
            "inclua a chave antiga em BALCAO_PREVIOUS_SECRET_KEYS e rode de novo"
        )


@cli.group()
def users() -> None:
    """Usuários da equipe."""


def _read_password(password_file: Path | None) -> str:
    raw = password_file.read_text() if password_file else sys.stdin.read()
    return raw.strip("\r\n")


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--unit", default=None, help="Código da unidade (papel 'unidade').")
@click.option("--password-file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def users_create(
    email: str, name: str, role: str, unit: str | None, password_file: Path | None
) -> None:
    """Cria um usuário; a senha vem da entrada padrão (ou de --password-file)."""
    from balcao._services.users import UserError, check_user, create_user

    password = _read_password(password_file)
    try:
        check_user(email, role, unit, password)
    except UserError as exc:
        raise CommandError(str(exc)) from exc
    runtime = _admin_runtime()

    async def run() -> None:
        try:
            await _ensure_schema(runtime)
            async with runtime.database.write() as session:
                await create_user(
                    session,
                    email=email,
                    name=name,
                    role=role,
                    unit=unit,
                    password=password,
                    now=runtime.now(),
                )
        finally:
            await runtime.close()

    _run_user_action(run())
    click.echo(f"usuário {email} criado ({role})")


@cli.group()
def tokens() -> None:
    """Tokens da API."""


@tokens.command("create")
@click.option("--email", required=True)
@click.option("--name", "label", default="", help="Rótulo do token.")
def tokens_create(email: str, label: str) -> None:
    """Cria um token de API; ele aparece uma única vez, sozinho na última linha."""
    from balcao._services.users import create_token

    runtime = _admin_runtime()
    holder: list[str] = []

    async def run() -> None:
        try:
            await _ensure_schema(runtime)
            async with runtime.database.write() as session:
                holder.append(
                    await create_token(
                        session, runtime.keys, email=email, label=label, now=runtime.now()
                    )
                )
        finally:
            await runtime.close()

    _run_user_action(run())
    click.echo(f"token criado para {email}; guarde-o agora, ele não será mostrado de novo:")
    click.echo(holder[0])


cli.add_command(routing)
cli.add_command(backup_command)
cli.add_command(restore_command)
cli.add_command(deliveries)
cli.add_command(report)


def _run_user_action(coroutine: Any) -> None:
    from balcao._services.users import UserError

    try:
        asyncio.run(coroutine)
    except UserError as exc:
        raise CommandError(str(exc)) from exc


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: bad input gives one line on standard error and exit status 2."""
    try:
        cli.main(
            args=list(argv) if argv is not None else None, prog_name="balcao", standalone_mode=False
        )
    except click.exceptions.Abort:
        click.echo("balcao: interrompido", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"balcao: {exc.format_message()}", err=True)
        sys.exit(_UNAVAILABLE)
    except (ConfigError, PluginError) as exc:
        click.echo(f"balcao: {exc}", err=True)
        sys.exit(_UNAVAILABLE)
