"""Mail in through the gateway route: what becomes a manifestation, what joins a case,
what is left alone, and MIME read right."""

from __future__ import annotations

from typing import Any

import pytest
from corpus import (
    DENUNCIA,
    auto_reply,
    big_attachment,
    bounce,
    forwarded,
    gmail,
    latin1,
    no_text,
    outlook_with_files,
    reply,
)
from email_support import INBOUND, ask_web_form_citizen, post_mail, receive
from mail_servers import SmtpSink
from staff import cases, detail, messages

from balcao import Actor
from balcao.testing import Balcao


async def test_the_gateway_stores_before_answering_and_acknowledges_duplicates(
    mail: Balcao,
) -> None:
    _, raw = gmail()
    first = await post_mail(mail, raw)
    again = await post_mail(mail, raw)
    assert (first.status_code, first.json()) == (202, {"stored": True, "duplicate": False})
    assert (again.status_code, again.json()) == (202, {"stored": False, "duplicate": True})
    assert await cases(mail) == []  # stored, not yet processed
    await mail.run_worker(2)
    assert len(await cases(mail)) == 1


async def test_the_gateway_refuses_an_empty_body_and_needs_a_token(make_mail: object) -> None:
    mail = await make_mail()  # type: ignore[operator]
    empty = await post_mail(mail, b"")
    assert empty.status_code == 400
    assert "message/rfc822" in empty.json()["detail"]
    none = await mail.client.post(INBOUND, content=gmail()[1])
    assert none.status_code == 401


async def test_gmail_message_becomes_a_manifestation_with_the_original_kept(
    mail: Balcao, smtp: SmtpSink
) -> None:
    await receive(mail, gmail()[1])
    [case] = await cases(mail)
    assert case["channel"] == "email"
    assert case["kind"] == "nao_classificada"
    full = await detail(mail, case["protocol"])
    assert full["manifestation"]["subject"] == "Restaurante universitário fechado"
    assert "fechou às 11h sem aviso" in full["manifestation"]["description"]
    files = await mail.desk.attachments(case["protocol"])
    assert [f.filename for f in files] == ["mensagem-original.eml"]
    assert smtp.arrived[-1].recipients == ["maria.silva@gmail.example"]


async def test_outlook_html_is_read_as_safe_text_with_its_files(mail: Balcao) -> None:
    await receive(mail, outlook_with_files()[1])
    [case] = await cases(mail)
    full = await detail(mail, case["protocol"])
    text = full["manifestation"]["description"]
    assert "Segue o comprovante & a foto da fila." in text
    assert "alert" not in text and "color" not in text and "<" not in text
    assert full["manifestation"]["subject"] == "Reclamação sobre a matrícula"
    files = {f.filename: f.media_type for f in await mail.desk.attachments(case["protocol"])}
    assert files["comprovante.pdf"] == "application/pdf"
    assert files["image001.png"] == "image/png"


async def test_latin1_body_and_encoded_word_subject(mail: Balcao) -> None:
    await receive(mail, latin1()[1])
    [case] = await cases(mail)
    assert case["subject"] == "Elogio à biblioteca"
    full = await detail(mail, case["protocol"])
    assert "parabéns à equipe" in full["manifestation"]["description"]


async def test_a_forwarded_message_keeps_what_was_forwarded(mail: Balcao) -> None:
    await receive(mail, forwarded()[1])
    [case] = await cases(mail)
    full = await detail(mail, case["protocol"])
    assert "indeferida por falta de documentos" in full["manifestation"]["description"]


async def test_a_message_with_no_text_still_registers(mail: Balcao) -> None:
    await receive(mail, no_text()[1])
    [case] = await cases(mail)
    full = await detail(mail, case["protocol"])
    assert full["manifestation"]["description"] == "(mensagem sem texto; veja os anexos)"
    names = [f.filename for f in await mail.desk.attachments(case["protocol"])]
    assert "boleto.pdf" in names


async def test_a_10_mb_attachment_is_refused_with_a_clear_answer(
    mail: Balcao, smtp: SmtpSink
) -> None:
    await receive(mail, big_attachment()[1])
    [case] = await cases(mail)
    assert [f.filename for f in await mail.desk.attachments(case["protocol"])] == []
    refusal = [a for a in smtp.arrived if "Anexo não aceito" in a.message["Subject"]]
    assert len(refusal) == 1
    assert refusal[0].recipients == ["pedro@gmail.example"]
    assert "processo.pdf" in refusal[0].text and "10 MB" in refusal[0].text


async def test_a_message_to_the_denuncia_address_is_a_denuncia(mail: Balcao) -> None:
    await receive(mail, gmail(to=DENUNCIA, subject="Irregularidade")[1])
    [case] = await cases(mail)
    assert case["kind"] == "denuncia"
    _, front_desk = await mail.user("atendente")
    response = await mail.client.get(
        f"/api/v1/manifestations/{case['protocol']}", headers=front_desk
    )
    assert "maria" not in response.text.lower()  # the identity stays sealed
    # nor is it in an attachment: the original message names its sender
    assert await mail.desk.attachments(case["protocol"]) == []


@pytest.mark.parametrize("kind", ["auto_reply", "list", "bulk"])
async def test_automatic_messages_never_create_a_case(
    mail: Balcao, smtp: SmtpSink, kind: str
) -> None:
    raw = {
        "auto_reply": auto_reply("x@y")[1],
        "list": gmail(headers="List-Id: <avisos.lists.example>\n")[1],
        "bulk": gmail(headers="Precedence: bulk\n")[1],
    }[kind]
    await receive(mail, raw)
    assert await cases(mail) == []
    assert smtp.arrived == []  # and no answer to a robot


async def test_mail_through_the_ouvidorias_own_group_is_accepted(make_mail: Any) -> None:
    mail = await make_mail(accepted_lists=["ouvidoria.ufmt.example.br"])
    group = "List-Id: Ouvidoria <ouvidoria.ufmt.example.br>\nPrecedence: list\n"
    await receive(mail, gmail(headers=group)[1])
    await receive(mail, gmail(headers="List-Id: <avisos.lists.example>\n")[1])
    assert len(await cases(mail)) == 1


async def test_a_reply_joins_its_case_trimmed(mail: Balcao, smtp: SmtpSink) -> None:
    await receive(mail, gmail()[1])
    [case] = await cases(mail)
    actor, _ = await mail.user("atendente")
    mail.clock.advance(minutes=5)
    await mail.desk.reply(case["protocol"], "O restaurante abrirá até as 13h.", actor)
    await mail.run_worker()
    answer_id = smtp.arrived[-1].message["Message-ID"].strip("<>")
    mail.clock.advance(minutes=5)
    await receive(mail, reply(answer_id, subject="Re: sem protocolo")[1])
    assert len(await cases(mail)) == 1
    inbound = await messages(mail, case["protocol"], "inbound")
    assert inbound[-1]["text"] == "Obrigada. Aconteceu de novo hoje, às 11h15."


async def test_the_protocol_in_the_subject_threads_a_reply(mail: Balcao) -> None:
    await receive(mail, gmail()[1])
    [case] = await cases(mail)
    subject = f"Re: [Protocolo {case['protocol']}] Manifestação recebida"
    await receive(mail, reply("desconhecido@x", subject=subject, references=False)[1])
    assert len(await cases(mail)) == 1
    assert len(await messages(mail, case["protocol"], "inbound")) == 2


async def test_a_reply_from_another_address_opens_a_new_case_mentioning_the_old(
    mail: Balcao,
) -> None:
    await receive(mail, gmail()[1])
    [case] = await cases(mail)
    subject = f"Re: [Protocolo {case['protocol']}] Manifestação recebida"
    await receive(mail, reply("x@y", sender="Outra <outra@example.org>", subject=subject)[1])
    _, second = await cases(mail)
    full = await detail(mail, second["protocol"])
    assert f"Em referência ao protocolo {case['protocol']}" in full["manifestation"]["description"]


async def test_a_reply_to_a_closed_case_opens_a_new_one(mail: Balcao) -> None:
    await receive(mail, gmail()[1])
    [case] = await cases(mail)
    actor, _ = await mail.user("ouvidor")
    await mail.desk.transition(case["protocol"], "archived", actor, "duplicada")
    subject = f"Re: [Protocolo {case['protocol']}] Manifestação recebida"
    await receive(mail, reply("x@y", subject=subject)[1])
    assert len(await cases(mail)) == 2


async def test_a_bounce_of_our_answer_marks_the_delivery_failed(
    mail: Balcao, smtp: SmtpSink
) -> None:
    await receive(mail, gmail()[1])
    [case] = await cases(mail)
    actor = Actor(kind="system", name="teste")
    await mail.desk.reply(case["protocol"], "Resposta que vai voltar.", actor)
    await mail.run_worker()
    answer_id = smtp.arrived[-1].message["Message-ID"].strip("<>")
    await receive(mail, bounce(answer_id, "maria.silva@gmail.example")[1])
    assert len(await cases(mail)) == 1
    [answer] = await messages(mail, case["protocol"], "outbound")
    assert answer["delivery_state"] == "failed"
    assert "User unknown" in answer["delivery_error"]
    assert "maria.silva" not in answer["delivery_error"]  # staff who may not know who wrote


async def test_a_web_form_citizen_answering_our_email_joins_the_web_form_case(
    mail: Balcao, smtp: SmtpSink
) -> None:
    protocol, arrived = await ask_web_form_citizen(mail, smtp)
    asked = arrived.message
    mail.clock.advance(minutes=30)
    answer = reply(
        asked["Message-ID"].strip("<>"),
        sender="Maria da Silva <maria@example.org>",
        subject="Re: " + asked["Subject"],
        text="No campus de Cuiabá.",
    )
    await receive(mail, answer[1])
    [case] = await cases(mail)
    assert case["protocol"] == protocol
    assert case["state"] == "triage"  # the complementação arrived
    inbound = await messages(mail, protocol, "inbound")
    assert (inbound[-1]["text"], inbound[-1]["channel"]) == ("No campus de Cuiabá.", "email")


async def test_a_message_over_the_limit_is_refused_with_a_reason(make_mail: Any) -> None:
    mail = await make_mail(max_message_mb=1)
    response = await post_mail(mail, big_attachment(1.5)[1])
    assert response.status_code == 413
    assert "1 MB" in response.json()["detail"]
    assert await cases(mail) == []


async def test_an_outlook_reply_keeps_only_the_new_text(mail: Balcao, smtp: SmtpSink) -> None:
    await receive(mail, gmail()[1])
    [case] = await cases(mail)
    ack_id = smtp.arrived[-1].message["Message-ID"].strip("<>")
    text = (
        "Segue a foto pedida.\r\n\r\n"
        "________________________________\r\n"
        "De: Ouvidoria <ouvidoria@ufmt.example.br>\r\n"
        "Enviado: terça-feira, 1 de dezembro de 2026 10:05\r\n"
        "Assunto: Manifestação recebida\r\n\r\nRecebemos sua mensagem.\r\n"
    )
    thread = f"In-Reply-To: <{ack_id}>\n"
    await receive(mail, gmail(text=text, subject="RE: Manifestação", headers=thread)[1])
    inbound = await messages(mail, case["protocol"], "inbound")
    assert inbound[-1]["text"] == "Segue a foto pedida."


async def test_a_message_without_message_id_is_still_answered_in_its_thread(
    mail: Balcao, smtp: SmtpSink
) -> None:
    _, raw = gmail()
    raw = b"\r\n".join(line for line in raw.split(b"\r\n") if not line.startswith(b"Message-ID"))
    await receive(mail, raw)
    [case] = await cases(mail)
    subject = f"Re: [Protocolo {case['protocol']}] Manifestação recebida"
    await receive(mail, reply("x@y", subject=subject, references=False)[1])
    assert len(await cases(mail)) == 1  # from the case's own address: it joined
    assert "In-Reply-To" not in smtp.arrived[0].message  # no made-up Message-ID in a header
