"""Staff replies through the outbox: the 24-hour window, templates, Meta's error codes,
statuses that only move forward."""

from __future__ import annotations

import re

from whatsapp_payloads import CITIZEN, WhatsApp, envelope, value, without_heading
from whatsapp_transcript import long_answer


async def registered(wa: WhatsApp) -> str:
    await wa.send(
        wa.text("Oi"),
        wa.text("1"),
        wa.text("O bebedouro do bloco B está quebrado."),
        wa.text("pronto"),
    )
    found = re.search(r"Protocolo: (\S+)", wa.texts_sent()[-1])
    assert found
    return found.group(1)


def attempts_of(wa: WhatsApp, body: str) -> list[dict]:
    return [
        p for p in wa.graph.attempts if without_heading(p.get("text", {}).get("body", "")) == body
    ]


async def replies(wa: WhatsApp, protocol: str) -> list[dict]:
    return await wa.messages(protocol, "outbound")


async def test_reply_inside_the_window_is_free_text(wa: WhatsApp) -> None:
    protocol = await registered(wa)
    await wa.reply(protocol, "Já pedimos o conserto à prefeitura do campus.")
    await wa.b.run_worker(2)
    last = wa.graph.sent[-1]
    assert last["type"] == "text"
    assert last["to"] == CITIZEN
    assert last["text"]["body"] == (
        f"Ouvidoria da UFMT — protocolo {protocol}:\nJá pedimos o conserto à prefeitura do campus."
    )
    [reply] = await replies(wa, protocol)
    assert reply["delivery_state"] == "sent"


async def test_reply_outside_the_window_uses_the_template(make_whatsapp) -> None:
    wa = await make_whatsapp(reply_template="balcao_nova_resposta", reply_template_language="pt_BR")
    protocol = await registered(wa)
    wa.b.clock.advance(hours=25)
    await wa.reply(protocol, "Resposta depois de um dia.")
    await wa.b.run_worker(2)
    last = wa.graph.sent[-1]
    assert last["type"] == "template"
    assert last["template"]["name"] == "balcao_nova_resposta"
    assert last["template"]["language"] == {"code": "pt_BR"}
    assert last["template"]["components"][0]["parameters"] == [{"type": "text", "text": protocol}]


async def test_outside_the_window_without_template_the_timeline_says_so(wa: WhatsApp) -> None:
    protocol = await registered(wa)
    wa.b.clock.advance(hours=25)
    sent_before = len(wa.graph.attempts)
    await wa.reply(protocol, "Resposta tardia.")
    await wa.b.run_worker(2)
    assert len(wa.graph.attempts) == sent_before  # nothing sent that Meta would refuse
    [reply] = await replies(wa, protocol)
    assert reply["delivery_state"] == "failed"
    assert "janela de 24 horas" in reply["delivery_error"]
    assert "acompanhamento" in reply["delivery_error"]


async def test_a_new_message_from_the_citizen_reopens_the_window(wa: WhatsApp) -> None:
    protocol = await registered(wa)
    wa.b.clock.advance(hours=30)
    await wa.send(wa.text("Alguma novidade?"))
    await wa.reply(protocol, "Sim, consertado.")
    await wa.b.run_worker(2)
    assert wa.graph.sent[-1]["type"] == "text"


async def test_131047_synchronously_falls_back_to_the_template(make_whatsapp) -> None:
    wa = await make_whatsapp(reply_template="balcao_nova_resposta")
    protocol = await registered(wa)
    wa.graph.fail(131047)
    await wa.reply(protocol, "Resposta.")
    await wa.b.run_worker(2)
    assert [p["type"] for p in wa.graph.attempts[-2:]] == ["text", "template"]
    [reply] = await replies(wa, protocol)
    assert reply["delivery_state"] == "sent"


async def test_131047_as_a_later_failed_status_sends_the_template(make_whatsapp) -> None:
    wa = await make_whatsapp(reply_template="balcao_nova_resposta")
    protocol = await registered(wa)
    wa.graph.fail(131047, later=True)
    await wa.reply(protocol, "Resposta.")
    await wa.b.run_worker(2)
    await wa.deliver_later_statuses()
    await wa.b.run_worker(3)
    [reply] = await replies(wa, protocol)
    assert reply["delivery_state"] == "failed"
    assert reply["delivery_error"].startswith("131047")
    assert wa.graph.sent[-1]["type"] == "template"
    await wa.reply(protocol, "Mais uma.")  # the window is known to be closed now
    await wa.b.run_worker(2)
    assert wa.graph.sent[-1]["type"] == "template"
    await wa.send(wa.text("Oi, vi o aviso"))  # the person writes: both replies go in full
    assert f"Ouvidoria da UFMT — protocolo {protocol}:\nResposta." in wa.texts_sent()
    assert f"Ouvidoria da UFMT — protocolo {protocol}:\nMais uma." in wa.texts_sent()


async def test_rate_limits_back_off_4_to_the_n_seconds(wa: WhatsApp) -> None:
    protocol = await registered(wa)
    wa.graph.fail(130429)
    wa.graph.fail(131056)
    await wa.reply(protocol, "Resposta.")
    await wa.b.run_worker(1)  # attempt 1: 130429, retry after 4^0 = 1 s
    wa.b.clock.advance(seconds=1.5)
    await wa.b.run_worker(1)  # attempt 2: 131056, retry after 4^1 = 4 s
    wa.b.clock.advance(seconds=3)
    await wa.b.run_worker(1)
    assert len(attempts_of(wa, "Resposta.")) == 2  # 3 s after: still waiting
    wa.b.clock.advance(seconds=1.5)
    await wa.b.run_worker(1)
    assert len(attempts_of(wa, "Resposta.")) == 3
    [reply] = await replies(wa, protocol)
    assert reply["delivery_state"] == "sent"


async def test_131026_is_a_clear_final_failure(wa: WhatsApp) -> None:
    protocol = await registered(wa)
    wa.graph.fail(131026)
    await wa.reply(protocol, "Resposta.")
    await wa.b.run_worker(1)
    wa.b.clock.advance(hours=1)
    await wa.b.run_worker(2)
    [reply] = await replies(wa, protocol)
    assert reply["delivery_state"] == "failed"
    assert "não pode receber mensagens do WhatsApp" in reply["delivery_error"]
    assert len(attempts_of(wa, "Resposta.")) == 1


async def test_token_error_pauses_deliveries_until_the_token_works(wa: WhatsApp) -> None:
    protocol = await registered(wa)
    wa.graph.token = "renovado-mas-nao-configurado"
    await wa.reply(protocol, "Primeira.")
    await wa.reply(protocol, "Segunda.")
    await wa.b.run_worker(1)
    tried = len(wa.graph.attempts)
    wa.b.clock.advance(minutes=2)
    await wa.b.run_worker(2)
    assert len(wa.graph.attempts) == tried  # paused: nothing hammers Meta with a bad token
    wa.graph.token = "token-de-teste"  # the operator fixed it
    wa.b.clock.advance(minutes=6)
    await wa.b.run_worker(4)
    bodies = wa.answers()
    assert "Primeira." in bodies
    assert "Segunda." in bodies


async def test_server_errors_and_timeouts_are_retried(wa: WhatsApp) -> None:
    protocol = await registered(wa)
    wa.graph.fail(None, status=500)
    wa.graph.fail(None, status=200, delay=3.0)  # longer than the 2 s client timeout
    await wa.reply(protocol, "Resposta.")
    for _ in range(3):
        await wa.b.run_worker(1)
        wa.b.clock.advance(minutes=5)
    assert len(attempts_of(wa, "Resposta.")) == 3
    [reply] = await replies(wa, protocol)
    assert reply["delivery_state"] == "sent"


async def test_statuses_only_move_forward_whatever_the_order(wa: WhatsApp) -> None:
    protocol = await registered(wa)
    await wa.reply(protocol, "Resposta.")
    await wa.b.run_worker(1)
    sent_id = f"wamid.FAKE{len(wa.graph.sent)}"
    for state in ("read", "delivered", "sent"):
        await wa.post(envelope(value(statuses=[wa.status(sent_id, state)])))
    await wa.b.run_worker(2)
    [reply] = await replies(wa, protocol)
    assert reply["delivery_state"] == "read"


async def test_a_failed_status_is_recorded_with_its_code(wa: WhatsApp) -> None:
    protocol = await registered(wa)
    await wa.reply(protocol, "Resposta.")
    await wa.b.run_worker(1)
    sent_id = f"wamid.FAKE{len(wa.graph.sent)}"
    error = {
        "code": 131049,
        "title": "Not delivered",
        "message": "Not delivered",
        "error_data": {"details": "healthy ecosystem engagement"},
    }
    await wa.post(envelope(value(statuses=[wa.status(sent_id, "failed", errors=[error])])))
    await wa.b.run_worker(2)
    [reply] = await replies(wa, protocol)
    assert reply["delivery_state"] == "failed"
    assert reply["delivery_error"] == "131049: healthy ecosystem engagement"


async def test_a_status_for_an_unknown_message_is_kept_and_applied_later(wa: WhatsApp) -> None:
    protocol = await registered(wa)
    early = wa.graph.next_wamid()
    await wa.post(envelope(value(statuses=[wa.status(early, "delivered")])))
    await wa.b.run_worker(1)  # the status is processed before the reply even exists
    await wa.reply(protocol, "Resposta.")
    await wa.b.run_worker(1)
    [reply] = await replies(wa, protocol)
    assert reply["delivery_state"] == "sent"
    wa.b.clock.advance(minutes=2)
    await wa.b.run_worker(2)
    [reply] = await replies(wa, protocol)
    assert reply["delivery_state"] == "delivered"


async def test_one_recipient_gets_a_bounded_burst(make_whatsapp) -> None:
    wa = await make_whatsapp(recipient_messages_per_minute=3)
    for text in ("1", "O bebedouro do bloco B está quebrado.", "pronto"):
        await wa.send(wa.text(text))
        wa.b.clock.advance(minutes=1)  # a person who types slowly gets every answer
        await wa.b.run_worker(2)
    found = re.search(r"Protocolo: (\S+)", wa.texts_sent()[-1])
    assert found
    protocol = found.group(1)
    wa.b.clock.advance(minutes=1)
    for n in range(5):
        await wa.reply(protocol, f"Resposta {n}.")
    await wa.b.run_worker(1)
    texts = wa.answers()
    assert [t for t in texts if t.startswith("Resposta")] == [
        "Resposta 0.",
        "Resposta 1.",
        "Resposta 2.",
    ]
    wa.b.clock.advance(seconds=61)
    await wa.b.run_worker(2)
    texts = wa.answers()
    assert len([t for t in texts if t.startswith("Resposta")]) == 5


async def test_a_templated_reply_is_delivered_in_full_when_the_person_writes(
    make_whatsapp,
) -> None:
    wa = await make_whatsapp(reply_template="balcao_nova_resposta")
    protocol = await registered(wa)
    wa.b.clock.advance(hours=26)
    await wa.reply(protocol, "O conserto foi feito ontem.")
    await wa.b.run_worker(2)
    assert wa.graph.sent[-1]["type"] == "template"
    assert "O conserto foi feito ontem." not in " ".join(wa.texts_sent())
    await wa.send(wa.text("Recebi o aviso, qual a resposta?"))
    assert f"Ouvidoria da UFMT — protocolo {protocol}:\nO conserto foi feito ontem." in (
        wa.texts_sent()
    )
    await wa.send(wa.text("Obrigada"))
    assert sum("O conserto foi feito ontem." in t for t in wa.texts_sent()) == 1


async def test_the_number_s_messages_per_second_are_respected(make_whatsapp) -> None:
    wa = await make_whatsapp(messages_per_second=1)
    first, second = wa.text("Oi", sender="5565911110001"), wa.text("Oi", sender="5565911110002")
    await wa.post(envelope(value(messages=[first, second])))
    await wa.b.run_worker(3)
    assert len(wa.graph.sent) == 1
    for sent in range(2, 5):  # each person's greeting and menu, one a second
        wa.b.clock.advance(seconds=1.1)
        await wa.b.run_worker(2)
        assert len(wa.graph.sent) == sent
    assert {p["to"] for p in wa.graph.sent} == {"5565911110001", "5565911110002"}


async def test_a_long_answer_arrives_whole_in_numbered_parts_in_order(wa: WhatsApp) -> None:
    protocol = await registered(wa)
    text = long_answer(10_000)
    assert len(text) > 9_900
    await wa.reply(protocol, text)
    await wa.b.run_worker(2)
    parts = [p["text"]["body"] for p in wa.graph.sent[-3:]]
    assert all(len(part) <= 4096 for part in parts)
    for n, part in enumerate(parts, start=1):
        assert part.startswith(f"Ouvidoria da UFMT — protocolo {protocol} (parte {n} de 3):\n")
    body = " ".join(without_heading(p) for p in parts)
    assert body.split() == text.split()
    assert all(without_heading(p).rstrip().endswith(".") for p in parts)  # cut at sentences
    [reply] = await replies(wa, protocol)
    assert reply["delivery_state"] == "sent"


async def test_a_split_answer_is_sent_only_when_every_part_went(wa: WhatsApp) -> None:
    protocol = await registered(wa)
    text = long_answer(6_000)
    sent_before = len(wa.graph.sent)
    await wa.reply(protocol, text)
    wa.graph.fail(131000, after=1)  # the first part goes, the second meets an error
    await wa.b.run_worker(1)
    [reply] = await replies(wa, protocol)
    assert reply["delivery_state"] == "pending"
    wa.b.clock.advance(minutes=5)
    await wa.b.run_worker(2)
    parts = [p["text"]["body"] for p in wa.graph.sent[sent_before:]]
    assert [p.split(":\n")[0][-14:] for p in parts] == ["(parte 1 de 2)", "(parte 2 de 2)"]
    [reply] = await replies(wa, protocol)
    assert reply["delivery_state"] == "sent"
