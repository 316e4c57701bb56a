"""STARTTLS and TLS for real: the SMTP server refuses to go on in clear, dovecot serves
IMAPS and STARTTLS, and the plugin checks the certificate against the configured CA file."""

from __future__ import annotations

from typing import Any

import pytest
from certs import Certificate
from corpus import gmail
from email_support import imap_config
from mail_servers import Dovecot, SmtpSink
from staff import cases

from balcao.testing import Balcao


async def _answered(mail: Balcao) -> None:
    receipt = await mail.manifestation(channel="webform")
    actor, _ = await mail.user("atendente")
    await mail.desk.reply(receipt.protocol, "Resposta por canal cifrado.", actor)
    await mail.run_worker()


async def test_smtp_starttls_with_login(
    make_mail: Any, tls_smtp_server: SmtpSink, certificate: Certificate
) -> None:
    tls_smtp_server.reset()
    mail = await make_mail(
        smtp_port=tls_smtp_server.port,
        smtp_security="starttls",
        tls_ca_file=str(certificate.cert),
    )
    await _answered(mail)
    assert [a.recipients for a in tls_smtp_server.arrived] == [["maria@example.org"]]


async def test_an_untrusted_certificate_sends_nothing(
    make_mail: Any, tls_smtp_server: SmtpSink
) -> None:
    tls_smtp_server.reset()
    mail = await make_mail(smtp_port=tls_smtp_server.port, smtp_security="starttls")
    await _answered(mail)
    assert tls_smtp_server.arrived == []


@pytest.mark.parametrize("security", ["tls", "starttls"])
async def test_imap_over_tls(make_mail: Any, mailbox: Dovecot, security: str) -> None:
    port = mailbox.tls_port if security == "tls" else mailbox.port
    mail = await make_mail(
        **{
            **imap_config(mailbox),
            "imap_port": port,
            "imap_security": security,
            "tls_ca_file": str(mailbox.certificate.cert),
        }
    )
    mailbox.append(gmail()[1])
    await mail.run_worker(3)
    assert len(await cases(mail)) == 1
