"""The mailbox polled over IMAP (TLS or STARTTLS): unseen messages are read without
marking them, stored, and only then marked seen, so a crash loses nothing."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import imaplib

from balcao import JobSpec, PluginDesk
from balcao_email._config import EmailConfig
from balcao_email._notify import CHANNEL
from balcao_email._parse import message_key

__all__ = ["poll", "poll_job"]

_BATCH = 1000  # one message in memory at a time; the rest on the next run


def poll_job(config: EmailConfig) -> JobSpec:
    async def run(desk: PluginDesk) -> None:
        await poll(config, desk)

    return JobSpec(name="email-imap", run=run, every=dt.timedelta(seconds=config.imap_poll_seconds))


async def poll(config: EmailConfig, desk: PluginDesk) -> int:
    """Store every unseen message (up to a batch); returns how many were new."""
    if not config.imap_host:
        return 0
    client = await asyncio.to_thread(_open, config)
    try:
        new = 0
        for uid in await asyncio.to_thread(_unseen, client):
            raw = await asyncio.to_thread(_fetch, client, uid)
            new += await desk.persist_inbound(CHANNEL, message_key(raw), raw)
            await asyncio.to_thread(_mark_seen, client, uid)
        return new
    finally:
        await asyncio.to_thread(_close, client)


def _open(config: EmailConfig) -> imaplib.IMAP4:
    context = config.tls_context()
    client: imaplib.IMAP4
    if config.imap_security == "tls":
        client = imaplib.IMAP4_SSL(config.imap_host, config.imap_port, ssl_context=context)
    else:
        client = imaplib.IMAP4(config.imap_host, config.imap_port)
        if config.imap_security == "starttls":
            client.starttls(ssl_context=context)
    client.login(config.imap_username, config.imap_password)
    client.select(_quoted(config.imap_mailbox))
    return client


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unseen(client: imaplib.IMAP4) -> list[str]:
    status, data = client.uid("SEARCH", "UNSEEN")
    if status != "OK" or not data or not isinstance(data[0], bytes):
        return []
    return data[0].decode().split()[:_BATCH]


def _fetch(client: imaplib.IMAP4, uid: str) -> bytes:
    status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    for item in data if status == "OK" else []:
        if isinstance(item, tuple):
            return bytes(item[1])
    raise imaplib.IMAP4.error(f"mensagem {uid} não pôde ser lida")


def _mark_seen(client: imaplib.IMAP4, uid: str) -> None:
    client.uid("STORE", uid, "+FLAGS", "(\\Seen)")


def _close(client: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        client.logout()
