"""Fixtures: the SMTP server and dovecot on loopback, and a balcão with the e-mail and
web form plugins."""

from __future__ import annotations

import shutil
import ssl
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import balcao_email
import balcao_webform
from balcao.testing import Balcao

# the suite runs with --import-mode=importlib: make the modules beside us importable
sys.path.insert(0, str(Path(__file__).parent))
from certs import Certificate, loopback_certificate
from email_support import (
    email_config,
)
from mail_servers import (
    Dovecot,
    SmtpSink,
)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return loopback_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def tls_smtp_server(certificate: Certificate) -> Iterator[SmtpSink]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate.cert, certificate.key)
    sink = SmtpSink(tls=context)
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp(smtp_server: SmtpSink) -> SmtpSink:
    smtp_server.reset()
    return smtp_server


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    # not under pytest's temporary folder: that one is private to us, and dovecot's own
    # users must reach the Maildir and the password file
    root = Path(tempfile.mkdtemp(prefix="balcao-dovecot-"))
    server = Dovecot(root, loopback_certificate(root))
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mailbox(dovecot: Dovecot) -> Dovecot:
    dovecot.empty()
    return dovecot


@pytest.fixture
def make_mail(make_balcao: Any, smtp: SmtpSink) -> Any:
    async def make(**overrides: Any) -> Balcao:
        return await make_balcao(
            plugins=[("email", balcao_email), ("webform", balcao_webform)],
            settings={
                "plugins": {"email": email_config(smtp, **overrides)},
                "public_url": "https://balcao.ufmt.example.br",
            },
        )

    return make


@pytest.fixture
async def mail(make_mail: Any) -> Balcao:
    return await make_mail()
