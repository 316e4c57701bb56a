"""The satisfaction survey asked by e-mail when a case is concluded: a link to the tracking
page, where the citizen answers with the protocol and the access code."""

from __future__ import annotations

from balcao import PluginDesk, SurveyRequested
from balcao_email._adapter import citizen_address, seal_address
from balcao_email._compose import SURVEY_KIND
from balcao_email._config import EmailConfig
from balcao_email._notify import CHANNEL

__all__ = ["ask_survey"]


async def ask_survey(event: SurveyRequested, desk: PluginDesk, config: EmailConfig) -> None:
    """Once per event (a redelivery finds the same outbox key): only citizens who get the
    answers by e-mail, and anonymous cases never publish the event."""
    if not config.survey or not config.from_address:
        return
    if event.channel != CHANNEL and event.channel not in config.notify_channels:
        return
    address = await citizen_address(desk, event.protocol, "pesquisa de satisfação por e-mail")
    if address is None:
        return
    await desk.enqueue(
        CHANNEL,
        idempotency_key=f"email-survey:{event.event_id or event.protocol}",
        text=survey_text(desk, config, event),
        protocol=event.protocol,
        kind=SURVEY_KIND,
        extra={"message_channel": event.channel, "to_sealed": seal_address(desk, address)},
    )


def survey_text(desk: PluginDesk, config: EmailConfig, event: SurveyRequested) -> str:
    tracking = desk.settings.public_url.rstrip("/") + "/acompanhar"
    days = desk.settings.survey_change_days
    return (
        f"A manifestação {event.protocol} foi concluída. Sua demanda foi atendida?\n\n"
        f"Conte para a Ouvidoria na pesquisa de satisfação: acesse {tracking} e informe o "
        f"número do protocolo ({event.protocol}) e o código de acesso. {_code_hint(config, event)}"
        f"\n\nResponder é opcional. Depois de responder, você pode mudar a resposta durante "
        f"{days} dias."
    )


def _code_hint(config: EmailConfig, event: SurveyRequested) -> str:
    """Who wrote by e-mail holds a code only when it was e-mailed to them; this e-mail never
    carries it (anyone reading the mailbox could then read the case)."""
    if event.channel == CHANNEL and not config.send_access_code:
        return "Se você não tem o código, peça-o respondendo a este e-mail."
    return "O código foi informado quando a manifestação foi registrada."
