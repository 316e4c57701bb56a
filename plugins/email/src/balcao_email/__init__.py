"""Balcão's e-mail channel.

Messages come from a mailbox polled over IMAP or from a mail gateway posting to
``POST /channels/email/inbound``; both are stored before they are acknowledged. Each becomes
a manifestation, or joins the case it answers. Staff answers go out over SMTP through the
outbox, to e-mail cases and to citizens of ``notify_channels`` who gave an address; the same
citizens get the satisfaction survey's link when their case is concluded.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from balcao import ChannelSpec, HomeCard, JobSpec, MigrationSpec, hookimpl, lazy_exports
from balcao_email._config import CHANNEL, EmailConfig

if TYPE_CHECKING:
    from balcao import Event, PluginDesk
    from balcao_email._adapter import EmailAdapter
    from balcao_email._imap import poll
    from balcao_email._parse import Mail, parse

__all__ = [
    "EmailAdapter",
    "EmailConfig",
    "Mail",
    "balcao_config_type",
    "balcao_on_event",
    "balcao_register_channels",
    "balcao_register_jobs",
    "balcao_register_migrations",
    "parse",
    "poll",
]


# The hooks import the channel's pieces when called: the command line loads every plugin
# to list its commands, and must not pay for the web routes and the ORM.
__getattr__ = lazy_exports(
    __name__,
    {
        "EmailAdapter": "balcao_email._adapter",
        "Mail": "balcao_email._parse",
        "parse": "balcao_email._parse",
        "poll": "balcao_email._imap",
    },
)


@hookimpl
def balcao_config_type() -> type[EmailConfig]:
    return EmailConfig


@hookimpl
def balcao_register_channels(config: EmailConfig) -> list[ChannelSpec]:
    from balcao_email._adapter import EmailAdapter
    from balcao_email._gateway import route_handlers
    from balcao_email._inbound import InboundProcessor

    def adapter(cfg: Any, desk: PluginDesk) -> EmailAdapter:
        return EmailAdapter(cfg, desk)

    return [
        ChannelSpec(
            name=CHANNEL,
            title="E-mail",
            route_handlers=route_handlers,
            adapter=adapter,
            inbound=InboundProcessor(config),
            card=_card(config),
            not_configured=None if config.from_address else _NOT_CONFIGURED,
        )
    ]


_NOT_CONFIGURED = (
    "canal de e-mail sem endereço: nada é enviado e a página inicial não mostra o cartão "
    "(configure [plugins.email] from_address e smtp_host, ou BALCAO_EMAIL_FROM_ADDRESS)"
)


def _card(config: EmailConfig) -> HomeCard | None:
    if not config.from_address:
        return None
    return HomeCard(
        title="E-mail",
        description=f"Escreva para {config.from_address}: cada mensagem vira uma manifestação "
        "com número de protocolo, e a resposta chega no seu e-mail.",
        url=f"mailto:{config.from_address}",
        action="Escrever e-mail",
        order=40,
    )


@hookimpl
def balcao_register_jobs(config: EmailConfig) -> list[JobSpec]:
    if not config.imap_host:
        return []  # no mailbox to poll: imaplib is not even loaded
    from balcao_email._imap import poll_job

    return [poll_job(config)]


@hookimpl
def balcao_register_migrations() -> list[MigrationSpec]:
    return [MigrationSpec(location=Path(__file__).parent / "migrations")]


@hookimpl
async def balcao_on_event(event: Event, desk: PluginDesk) -> None:
    from balcao import SurveyRequested
    from balcao_email._notify import copy_answer
    from balcao_email._survey import ask_survey

    registered = desk.channels.get(CHANNEL)
    if registered is None:
        return
    if isinstance(event, SurveyRequested):
        await ask_survey(event, desk, registered.config)
    else:
        await copy_answer(event, desk, registered.config)
