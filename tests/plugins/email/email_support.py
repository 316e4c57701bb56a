"""Helpers for the e-mail plugin's tests (imported by name: a module called `conftest` would
clash with the other plugins' test folders)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from balcao import Citizen, Kind, Receipt
from balcao.testing import Balcao

# the suite runs with --import-mode=importlib: make the modules beside us importable
sys.path.insert(0, str(Path(__file__).parent))
from corpus import DENUNCIA, OUVIDORIA
from mail_servers import (
    IMAP_PASSWORD,
    IMAP_USER,
    SMTP_PASSWORD,
    SMTP_USER,
    Arrived,
    Dovecot,
    SmtpSink,
)

TOKEN = "token-do-gateway-de-teste"


INBOUND = "/channels/email/inbound"


def email_config(smtp: SmtpSink, **overrides: Any) -> dict[str, Any]:
    return {
        "from_address": OUVIDORIA,
        "from_name": "Ouvidoria da UFMT",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
        "smtp_security": "none",
        "smtp_username": SMTP_USER,
        "smtp_password": SMTP_PASSWORD,
        "smtp_timeout_seconds": 5,
        "inbound_token": TOKEN,
        "denuncia_addresses": [DENUNCIA],
        "signature": "Ouvidoria Geral da UFMT\nAv. Fernando Corrêa, 2367, Cuiabá-MT",
        **overrides,
    }


def imap_config(dovecot: Dovecot) -> dict[str, Any]:
    return {
        "imap_host": "127.0.0.1",
        "imap_port": dovecot.port,
        "imap_security": "none",
        "imap_username": IMAP_USER,
        "imap_password": IMAP_PASSWORD,
    }


async def post_mail(balcao: Balcao, raw: bytes, token: str = TOKEN) -> Any:
    return await balcao.client.post(
        INBOUND,
        content=raw,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "message/rfc822"},
    )


async def receive(balcao: Balcao, raw: bytes) -> None:
    """A message through the gateway, then processed and answered by the worker."""
    response = await post_mail(balcao, raw)
    assert response.status_code == 202, response.text
    await balcao.run_worker(3)


async def ask_web_form_citizen(balcao: Balcao, smtp: SmtpSink) -> tuple[str, Arrived]:
    """A web-form case whose citizen is asked for complementação; what reached them."""
    receipt = await balcao.manifestation(channel="webform")
    actor, _ = await balcao.user("atendente")
    await balcao.desk.request_complementation(receipt.protocol, "Em qual campus?", actor)
    await balcao.run_worker()
    return receipt.protocol, smtp.arrived[-1]


async def web_form_denuncia(balcao: Balcao) -> Receipt:
    """A denúncia from the web form whose text and citizen name a person."""
    return await balcao.manifestation(
        "O servidor Fulano desvia verbas do almoxarifado.",
        kind=Kind.DENUNCIA,
        channel="webform",
        citizen=Citizen(name="José Souza", email="jose@example.org"),
        subject="Desvio de verbas pelo servidor Fulano",
    )
