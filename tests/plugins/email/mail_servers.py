"""Real mail servers on loopback for the tests: an SMTP server (aiosmtpd) that keeps what
arrives and can answer with errors or be down, and Debian's dovecot with a throw-away
configuration and a Maildir in a temporary folder."""

from __future__ import annotations

import email
import email.policy
import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from certs import Certificate

SMTP_USER, SMTP_PASSWORD = "balcao", "senha-smtp"
IMAP_USER, IMAP_PASSWORD = "ouvidoria", "senha-imap"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Arrived:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        assert part is not None
        return str(part.get_content())


@dataclass
class SmtpSink:
    """What the server received; ``answers`` are given, in order, instead of 250."""

    port: int = field(default_factory=free_port)
    tls: ssl.SSLContext | None = None  # given: STARTTLS required before AUTH and MAIL
    arrived: list[Arrived] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.answers:
            return self.answers.pop(0)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.arrived.append(Arrived(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def start(self) -> None:
        # AUTH without TLS, loopback only: aiosmtpd's warning about it is filtered in the
        # pytest settings (it is raised for each connection, in the server's thread)
        self.controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=_authenticate,
            auth_require_tls=self.tls is not None,
            auth_required=True,
            tls_context=self.tls,
            require_starttls=self.tls is not None,
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def reset(self) -> None:
        self.arrived.clear()
        self.answers.clear()
        if self.controller is None:
            self.start()


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        SMTP_USER.encode(),
        SMTP_PASSWORD.encode(),
    )
    return AuthResult(success=ok)


_DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/Maildir
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = 1
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home
}}
"""


class Dovecot:
    """dovecot run by the current user on a loopback port. As root (a CI container) the
    mail processes must be another user: dovecot refuses root there, so the package's own
    ``dovecot``/``dovenull`` users own the Maildir."""

    def __init__(self, root: Path, certificate: Certificate) -> None:
        self.root, self.port, self.tls_port = root, free_port(), free_port()
        self.certificate = certificate
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        mail_user, login = self._users()
        for folder in ("home", "Maildir"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
            os.chown(self.root / folder, mail_user.pw_uid, mail_user.pw_gid)
        self.root.chmod(0o755)
        (self.root / "passwd").write_text(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}\n")
        (self.root / "dovecot.conf").write_text(
            _DOVECOT_CONF.format(
                root=self.root,
                port=self.port,
                tls_port=self.tls_port,
                cert=self.certificate.cert,
                key=self.certificate.key,
                internal=mail_user.pw_name,
                internal_group=_group(mail_user),
                login=login,
                uid=mail_user.pw_uid,
                gid=mail_user.pw_gid,
            )
        )
        self.process = subprocess.Popen([binary, "-F", "-c", str(self.root / "dovecot.conf")])
        self._wait()

    def _users(self) -> tuple[pwd.struct_passwd, str]:
        if os.geteuid() != 0:
            me = pwd.getpwuid(os.geteuid())
            return me, me.pw_name
        return pwd.getpwnam("dovecot"), "dovenull"

    def _wait(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                client = self.client()
            except (OSError, imaplib.IMAP4.error):
                time.sleep(0.1)
                continue
            client.logout()
            return
        raise RuntimeError("dovecot did not start: " + self.log())

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text() if path.exists() else ""

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port)
        client.login(IMAP_USER, IMAP_PASSWORD)
        return client

    def append(self, raw: bytes) -> None:
        """A message arriving in the mailbox (as the MDA would put it there)."""
        client = self.client()
        try:
            client.append("INBOX", None, None, raw)
        finally:
            client.logout()

    def flags(self) -> list[str]:
        """The flags of every message in INBOX, in order."""
        client = self.client()
        try:
            client.select("INBOX")
            status, data = client.fetch("1:*", "(FLAGS)")
            return (
                [bytes(i).decode() for i in data if isinstance(i, bytes)] if status == "OK" else []
            )
        finally:
            client.logout()

    def empty(self) -> None:
        client = self.client()
        try:
            client.select("INBOX")
            client.store("1:*", "+FLAGS", "(\\Deleted)")
            client.expunge()
        except imaplib.IMAP4.error:
            pass
        finally:
            client.logout()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _group(user: pwd.struct_passwd) -> str:
    import grp

    return grp.getgrgid(user.pw_gid).gr_name
