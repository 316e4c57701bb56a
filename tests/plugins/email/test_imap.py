"""Mail in from a real IMAP mailbox (dovecot on loopback), end to end."""

from __future__ import annotations

from typing import Any

from corpus import gmail, latin1, reply
from email_support import imap_config
from mail_servers import Dovecot, SmtpSink
from staff import cases, headers, messages

import balcao_email
from balcao.testing import Balcao


async def _with_mailbox(make_mail: Any, mailbox: Dovecot) -> Balcao:
    return await make_mail(**imap_config(mailbox))


async def test_unseen_messages_are_imported_once_and_marked_seen_after_storing(
    make_mail: Any, mailbox: Dovecot
) -> None:
    mail = await _with_mailbox(make_mail, mailbox)
    mailbox.append(gmail()[1])
    mailbox.append(latin1()[1])
    await mail.run_worker(3)
    assert len(await cases(mail)) == 2
    assert all("\\Seen" in flags for flags in mailbox.flags())
    client = mailbox.client()  # someone marks them unread again in their mail program
    client.select("INBOX")
    client.store("1:*", "-FLAGS", "(\\Seen)")
    client.logout()
    registered = mail.desk.channels["email"].config
    assert await balcao_email.poll(registered, mail.desk) == 0  # both known: not stored again
    await mail.run_worker(2)
    assert len(await cases(mail)) == 2


async def test_a_mailbox_that_cannot_be_reached_loses_nothing(
    make_mail: Any, mailbox: Dovecot
) -> None:
    mail = await make_mail(**{**imap_config(mailbox), "imap_password": "errada"})
    mailbox.append(gmail()[1])
    await mail.run_worker(2)
    assert await cases(mail) == []
    assert not any("\\Seen" in flags for flags in mailbox.flags())


async def test_mail_in_answer_out_and_the_citizens_reply_joins_the_case(
    make_mail: Any, mailbox: Dovecot, smtp: SmtpSink
) -> None:
    mail = await _with_mailbox(make_mail, mailbox)
    first_id, raw = gmail()
    mailbox.append(raw)
    await mail.run_worker(3)
    [case] = await cases(mail)
    protocol = case["protocol"]
    mail.clock.advance(minutes=10)
    staff = await headers(mail)
    response = await mail.client.post(
        f"/api/v1/manifestations/{protocol}/messages",
        json={"text": "O restaurante abrirá até as 13h a partir de amanhã.", "internal": False},
        headers=staff,
    )
    assert response.status_code in (200, 201), response.text
    await mail.run_worker()
    answer = smtp.arrived[-1]
    assert answer.message["In-Reply-To"] == f"<{first_id}>"
    assert answer.message["Subject"] == f"[Protocolo {protocol}] Resposta da Ouvidoria"
    mail.clock.advance(minutes=10)
    answer_id = answer.message["Message-ID"].strip("<>")
    mailbox.append(reply(answer_id, subject="Re: " + answer.message["Subject"])[1])
    mail.clock.advance(minutes=2)
    await mail.run_worker(3)
    assert [c["protocol"] for c in await cases(mail)] == [protocol]
    texts = [m["text"] for m in await messages(mail, protocol, "inbound")]
    assert texts[-1] == "Obrigada. Aconteceu de novo hoje, às 11h15."
