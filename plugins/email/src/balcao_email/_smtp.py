"""SMTP submission in a thread (the standard library's client): 4xx answers and lost
connections are retried, 5xx answers are final and carry the server's words."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage

from balcao import DeliveryFailed
from balcao_email._config import EmailConfig
from balcao_email._redact import without_addresses

__all__ = ["submit"]


async def submit(config: EmailConfig, mail: EmailMessage, recipient: str) -> None:
    """Hand ``mail`` to the configured server; raises :class:`DeliveryFailed`."""
    if not config.smtp_host:
        raise DeliveryFailed("servidor SMTP não configurado (smtp_host)", retryable=False)
    try:
        await asyncio.to_thread(_send, config, mail, recipient)
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        raise _answer(code, text) from exc
    except smtplib.SMTPResponseException as exc:
        raise _answer(exc.smtp_code, exc.smtp_error) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryFailed(f"servidor de e-mail indisponível: {exc}") from exc


def _answer(code: int, text: bytes | str) -> DeliveryFailed:
    words = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    message = f"o servidor de e-mail respondeu {code} {without_addresses(words)}".strip()
    return DeliveryFailed(message, retryable=not 500 <= code < 600)


def _send(config: EmailConfig, mail: EmailMessage, recipient: str) -> None:
    with _connect(config) as client:
        if config.smtp_username:
            client.login(config.smtp_username, config.smtp_password)
        client.send_message(mail, from_addr=config.from_address, to_addrs=[recipient])


def _connect(config: EmailConfig) -> smtplib.SMTP:
    timeout, context = config.smtp_timeout_seconds, config.tls_context()
    if config.smtp_security == "tls":
        return smtplib.SMTP_SSL(
            config.smtp_host, config.smtp_port, timeout=timeout, context=context
        )
    client = smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=timeout)
    if config.smtp_security == "starttls":
        try:
            client.starttls(context=context)
        except BaseException:
            client.close()
            raise
    return client
