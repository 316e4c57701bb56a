"""The plugin's configuration: ``[plugins.email]`` in balcao.toml."""

from __future__ import annotations

import ssl
from typing import Literal

import msgspec

from balcao import Kind

__all__ = ["CHANNEL", "EmailConfig"]

CHANNEL = "email"

Security = Literal["starttls", "tls", "none"]


class EmailConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Settings of the e-mail channel.

    Attributes:
        from_address: the ouvidoria's address; answers come from it (empty: channel off).
        from_name: the display name beside it.
        smtp_host, smtp_port, smtp_security, smtp_username, smtp_password: the SMTP
            submission server (``starttls`` on 587, ``tls`` on 465, ``none`` on loopback only).
        smtp_timeout_seconds: timeout of each SMTP conversation.
        imap_host, imap_port, imap_security, imap_username, imap_password, imap_mailbox:
            the mailbox polled for new messages (empty host: no polling).
        imap_poll_seconds: how often the mailbox is polled.
        inbound_token: the bearer token a mail gateway sends to ``POST /channels/email/inbound``.
        notify_channels: channels whose citizens get staff answers by e-mail when they gave
            an address (cases that came by e-mail always do).
        default_kind: the kind of a manifestation that came by e-mail.
        denuncia_addresses: addresses whose messages are denúncias (identity sealed).
        signature: the ouvidoria's signature under every message.
        send_access_code: put the access code in the acknowledgement (off: see the docs).
        survey: e-mail the satisfaction survey's link, when a case is concluded, to the
            citizens who get answers by e-mail.
        max_message_mb: the largest raw message accepted by the gateway or the mailbox.
        accepted_lists: ``List-Id`` values (``ouvidoria.ufmt.br``) of the university's own
            group addresses whose messages are people writing; other list mail is ignored.
        tls_ca_file: a CA bundle (PEM) to trust for a mail server whose certificate a
            private authority signed; empty: the system's trust store.
    """

    from_address: str = ""
    from_name: str = "Ouvidoria"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: Security = "starttls"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = 30.0
    imap_host: str = ""
    imap_port: int = 993
    imap_security: Security = "tls"
    imap_username: str = ""
    imap_password: str = ""
    imap_mailbox: str = "INBOX"
    imap_poll_seconds: int = 60
    inbound_token: str = ""
    notify_channels: list[str] = msgspec.field(default_factory=lambda: ["webform", "meet"])
    default_kind: Kind = Kind.NAO_CLASSIFICADA
    denuncia_addresses: list[str] = msgspec.field(default_factory=list)
    signature: str = "Ouvidoria"
    send_access_code: bool = False
    survey: bool = True
    max_message_mb: int = 40
    accepted_lists: list[str] = msgspec.field(default_factory=list)
    tls_ca_file: str = ""

    def __post_init__(self) -> None:
        if self.from_address and "@" not in self.from_address:
            raise ValueError("from_address must be an e-mail address")
        if self.max_message_mb <= 0 or self.imap_poll_seconds <= 0:
            raise ValueError("max_message_mb and imap_poll_seconds must be positive")

    def tls_context(self) -> ssl.SSLContext:
        """Certificates and host names are always verified."""
        return ssl.create_default_context(cafile=self.tls_ca_file or None)

    @property
    def domain(self) -> str:
        return self.from_address.rpartition("@")[2] or "balcao.invalid"

    def accepts_list(self, list_id: str | None) -> bool:
        return list_id is None or list_id in {i.strip().lower() for i in self.accepted_lists}

    def is_denuncia_address(self, address: str) -> bool:
        return address.lower() in {a.strip().lower() for a in self.denuncia_addresses}
