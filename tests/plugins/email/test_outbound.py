"""Answers by e-mail: what arrives at a real SMTP server on loopback."""

from __future__ import annotations

import re
from typing import Any

from corpus import OUVIDORIA, gmail
from email_support import ask_web_form_citizen, post_mail, receive, web_form_denuncia
from mail_servers import SmtpSink

from balcao import Citizen
from balcao.testing import Balcao


async def _timeline(balcao: Balcao, protocol: str, headers: dict[str, str]) -> list[Any]:
    response = await balcao.client.get(f"/api/v1/manifestations/{protocol}", headers=headers)
    assert response.status_code == 200
    return list(response.json()["timeline"])


async def _case_by_mail(mail: Balcao, smtp: SmtpSink) -> tuple[str, str]:
    message_id, raw = gmail()
    await receive(mail, raw)
    acknowledgement = smtp.arrived[-1]
    found = re.search(r"\[Protocolo (\d{4}-\d{6})\]", acknowledgement.message["Subject"])
    assert found
    return found.group(1), message_id


async def test_a_staff_answer_reaches_the_citizen_threaded_with_signature(
    mail: Balcao, smtp: SmtpSink
) -> None:
    protocol, citizen_id = await _case_by_mail(mail, smtp)
    actor, _ = await mail.user("atendente")
    mail.clock.advance(minutes=5)
    await mail.desk.reply(protocol, "Prezada, o restaurante abrirá até as 13h.", actor)
    await mail.run_worker()
    answer = smtp.arrived[-1]
    assert answer.recipients == ["maria.silva@gmail.example"]
    assert answer.sender == OUVIDORIA
    assert answer.message["Subject"] == f"[Protocolo {protocol}] Resposta da Ouvidoria"
    assert answer.message["In-Reply-To"] == f"<{citizen_id}>"
    assert f"<{citizen_id}>" in answer.message["References"]
    assert "Auto-Submitted" not in answer.message  # a person wrote it
    for body in (answer.text, answer.html):
        assert "o restaurante abrirá até as 13h" in body
        assert "Ouvidoria Geral da UFMT" in body
        assert f"Para complementar a manifestação {protocol}, responda a este e-mail." in body
        # no code was e-mailed to this citizen: the page that needs one is not offered
        assert "/acompanhar" not in body


async def test_the_acknowledgement_is_automatic_and_names_no_one(
    mail: Balcao, smtp: SmtpSink
) -> None:
    await _case_by_mail(mail, smtp)
    ack = smtp.arrived[-1].message
    assert ack["Auto-Submitted"] == "auto-replied"
    assert "Maria" not in ack["Subject"]
    assert "restaurante" not in ack["Subject"].lower()
    assert "Código de acesso para o acompanhamento" not in smtp.arrived[-1].text


async def test_the_access_code_goes_by_email_only_when_enabled(
    make_mail: Any, smtp: SmtpSink
) -> None:
    mail = await make_mail(send_access_code=True)
    await _case_by_mail(mail, smtp)
    assert re.search(r"Código de acesso para o acompanhamento: \S+", smtp.arrived[-1].text)


async def test_a_denuncia_subject_never_carries_its_text(mail: Balcao, smtp: SmtpSink) -> None:
    receipt = await web_form_denuncia(mail)
    actor, _ = await mail.user("ouvidor")
    await mail.desk.reply(receipt.protocol, "Recebemos e apuraremos.", actor)
    await mail.run_worker()
    subject = smtp.arrived[-1].message["Subject"]
    assert subject == f"[Protocolo {receipt.protocol}] Resposta da Ouvidoria"


async def test_web_form_citizen_with_an_address_gets_the_answer_by_email(
    mail: Balcao, smtp: SmtpSink
) -> None:
    response = await mail.client.post(
        "/channels/webform/api/manifestations",
        json={
            "kind": "reclamacao",
            "subject": "Ar-condicionado",
            "description": "O ar-condicionado da sala 12 está quebrado há um mês.",
            "anonymous": False,
            "citizen": {"name": "Rita Lima", "email": "rita@example.org"},
            "consent": True,
        },
    )
    assert response.status_code == 201, response.text
    protocol = response.json()["protocol"]
    actor, headers = await mail.user("atendente")
    await mail.desk.reply(protocol, "A manutenção foi chamada.", actor)
    await mail.run_worker()
    assert [a.recipients for a in smtp.arrived] == [["rita@example.org"]]
    assert "A manutenção foi chamada." in smtp.arrived[0].text
    assert "https://balcao.ufmt.example.br/acompanhar" in smtp.arrived[0].text
    answer = [e for e in await _timeline(mail, protocol, headers) if e["type"] == "outbound"]
    assert answer[0]["delivery_state"] == "sent"


async def test_a_request_for_complementation_also_goes_by_email(
    mail: Balcao, smtp: SmtpSink
) -> None:
    _, arrived = await ask_web_form_citizen(mail, smtp)
    assert arrived.recipients == ["maria@example.org"]
    assert arrived.message["Subject"].endswith("Pedido de complementação")
    assert "Em qual campus?" in arrived.text


async def test_a_meet_citizen_with_an_address_gets_the_answer_by_email(
    mail: Balcao, smtp: SmtpSink
) -> None:
    receipt = await mail.manifestation(
        channel="meet", citizen=Citizen(name="Ana Reis", email="ana@example.org")
    )
    actor, _ = await mail.user("atendente")
    await mail.desk.reply(receipt.protocol, "Conforme conversamos na reunião.", actor)
    await mail.run_worker()
    assert [a.recipients for a in smtp.arrived] == [["ana@example.org"]]


async def test_a_citizen_without_an_address_gets_no_email(mail: Balcao, smtp: SmtpSink) -> None:
    receipt = await mail.manifestation(channel="webform", citizen=Citizen(name="Sem E-mail"))
    actor, headers = await mail.user("atendente")
    await mail.desk.reply(receipt.protocol, "Resposta só no acompanhamento.", actor)
    await mail.run_worker(2)
    assert smtp.arrived == []
    [answer] = [
        e for e in await _timeline(mail, receipt.protocol, headers) if e["type"] == "outbound"
    ]
    assert answer["delivery_state"] == "undeliverable"  # waits on the tracking page


async def test_channels_outside_notify_channels_get_no_email(
    make_mail: Any, smtp: SmtpSink
) -> None:
    mail = await make_mail(notify_channels=["meet"])
    receipt = await mail.manifestation(channel="webform")
    actor, _ = await mail.user("atendente")
    await mail.desk.reply(receipt.protocol, "Resposta só no acompanhamento.", actor)
    await mail.run_worker(2)
    assert smtp.arrived == []


async def test_a_temporary_refusal_is_retried_and_arrives_once(
    mail: Balcao, smtp: SmtpSink
) -> None:
    receipt = await mail.manifestation(channel="webform")
    actor, _ = await mail.user("atendente")
    smtp.answers.append("451 4.3.0 Tente mais tarde")
    await mail.desk.reply(receipt.protocol, "Resposta com nova tentativa.", actor)
    await mail.run_worker()
    assert smtp.arrived == []
    mail.clock.advance(minutes=10)
    await mail.run_worker(2)
    assert len(smtp.arrived) == 1


async def test_a_permanent_refusal_is_final_with_the_servers_words(
    mail: Balcao, smtp: SmtpSink
) -> None:
    receipt = await mail.manifestation(channel="webform")
    actor, headers = await mail.user("atendente")
    smtp.answers.append("550 5.1.1 <maria@example.org>: Mailbox unavailable")
    await mail.desk.reply(receipt.protocol, "Resposta que não chega.", actor)
    await mail.run_worker()
    mail.clock.advance(hours=1)
    await mail.run_worker(2)
    assert smtp.arrived == []
    answer = [
        e for e in await _timeline(mail, receipt.protocol, headers) if e["type"] == "outbound"
    ]
    assert answer[0]["delivery_state"] == "failed"
    assert "550 5.1.1 <endereço>: Mailbox unavailable" in answer[0]["delivery_error"]


async def test_smtp_down_for_a_while_then_delivered_once(mail: Balcao, smtp: SmtpSink) -> None:
    protocol, _ = await _case_by_mail(mail, smtp)
    actor, _ = await mail.user("atendente")
    smtp.stop()
    await mail.desk.reply(protocol, "Resposta enquanto o servidor está fora.", actor)
    for _ in range(3):
        await mail.run_worker()
        mail.clock.advance(minutes=30)
    smtp.start()
    await mail.run_worker(3)
    mail.clock.advance(hours=6)
    await mail.run_worker(3)
    answers = [a for a in smtp.arrived if "Resposta enquanto" in a.text]
    assert len(answers) == 1


async def test_a_retry_after_an_unrecorded_success_is_the_same_email(
    mail: Balcao, smtp: SmtpSink
) -> None:
    receipt = await mail.manifestation(channel="webform")
    first = await mail.desk.enqueue(
        "email",
        idempotency_key="lembrete-1",
        text="Lembrete",
        protocol=receipt.protocol,
        extra={"to_sealed": mail.desk.keys.encrypt(b"maria@example.org")},
    )
    assert first
    adapter = mail.desk.adapter("email")
    assert adapter is not None
    await mail.run_worker()
    # the worker died after the server took it: the outbox hands the same key out again
    from balcao import OutboundMessage

    again = OutboundMessage(
        idempotency_key="lembrete-1",
        protocol=receipt.protocol,
        recipient=None,
        text="Lembrete",
        attempt=2,
        kind="notification",
        extra={"to_sealed": mail.desk.keys.encrypt(b"maria@example.org")},
    )
    receipt_again = await adapter.send(again)
    assert len(smtp.arrived) == 1
    assert receipt_again.external_id == smtp.arrived[0].message["Message-ID"].strip("<>")


async def test_the_gateway_refuses_a_wrong_token(mail: Balcao) -> None:
    _, raw = gmail()
    response = await post_mail(mail, raw, token="errado")
    assert response.status_code == 401
    assert "token" in response.json()["detail"]
