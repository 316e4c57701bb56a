"""``balcao meet-check``: tells an operator whether the Google set-up works, step by step."""

from __future__ import annotations

import asyncio
import datetime as dt

import click

from balcao_meet._config import MeetConfig

__all__ = ["check_command"]


def check_command(config: MeetConfig) -> click.Command:
    @click.command("meet-check")
    def meet_check() -> None:
        """Testa as credenciais do Google (token e agenda) do atendimento por vídeo."""
        from balcao_meet._google import GoogleError

        if not config.has_google:
            link = config.fallback_link or "nenhum (configure fallback_link)"
            click.echo(f"sem credenciais do Google: todo agendamento usa o link fixo {link}")
            return
        try:
            asyncio.run(_check(config))
        except GoogleError as exc:
            raise click.ClickException(str(exc)) from exc

    return meet_check


async def _check(config: MeetConfig) -> None:
    from balcao_meet._google import CalendarClient, GoogleHttp, TokenProvider

    tokens = TokenProvider(
        config.service_account_file,
        config.delegated_user,
        config.token_url,
        timeout=config.google_timeout_seconds,
    )
    await tokens.token()
    click.echo(f"token: ok (agindo como {config.delegated_user})")
    calendar = CalendarClient(GoogleHttp(tokens), config.calendar_api_url, config.calendar_id)
    now = dt.datetime.now(dt.UTC)
    busy = await calendar.busy(now, now + dt.timedelta(days=7))
    click.echo(f"agenda {config.calendar_id}: ok ({len(busy)} período(s) ocupado(s) em 7 dias)")
