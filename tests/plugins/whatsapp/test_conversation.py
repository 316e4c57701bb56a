"""The conversation at the balcão, in pt-BR: menu, description, confirmation, hours."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

import pytest
from sqlalchemy import text as sql
from whatsapp_payloads import CITIZEN, WhatsApp, envelope, local, value, wamid
from whatsapp_transcript import JPEG

from balcao import Actor, State
from balcao_whatsapp import split


def receipt_in(text: str) -> tuple[str, str]:
    protocol = re.search(r"Protocolo: (\S+)", text)
    code = re.search(r"Código de acesso: (\S+)", text)
    assert protocol, text
    assert code, text
    return protocol.group(1), code.group(1)


async def test_menu_then_description_then_protocol_and_access_code(wa: WhatsApp) -> None:
    await wa.send(wa.text("Oi"))
    menu = wa.graph.sent[-1]
    assert menu["type"] == "interactive"
    assert menu["interactive"]["type"] == "list"
    rows = menu["interactive"]["action"]["sections"][0]["rows"]
    assert "7. Falar com atendente" in [r["title"] for r in rows]
    assert all(len(r["title"]) <= 24 and len(r["description"]) <= 72 for r in rows)
    assert len(menu["interactive"]["footer"]["text"]) <= 60
    await wa.send(wa.list_reply("reclamacao"))
    assert "Conte o que aconteceu" in wa.texts_sent()[-1]
    await wa.send(wa.text("O restaurante universitário fechou às 11h sem aviso."))
    await wa.send(wa.button_reply("pronto", "Pronto, registrar"))
    protocol, code = receipt_in(wa.texts_sent()[-1])
    found = await wa.desk.verify_access(protocol, code)
    assert found is not None
    assert found.kind == "reclamacao"
    assert found.channel == "whatsapp"
    assert "restaurante universitário" in found.description
    assert await wa.desk.recipient(protocol) == CITIZEN
    reader = Actor(kind="plugin", name="teste")
    citizen = await wa.desk.reveal_identity(protocol, reader, "teste do registro")
    assert citizen is not None
    assert citizen.name == "Maria da Silva"


async def test_plain_text_numbers_work_and_nonsense_repeats_the_menu(make_whatsapp) -> None:
    wa = await make_whatsapp(interactive_menu=False)
    await wa.send(wa.text("Bom dia"))
    assert wa.graph.sent[-1]["type"] == "text"
    assert "4. Sugestão" in wa.texts_sent()[-1]
    wa.b.clock.advance(seconds=61)  # past the burst: a new question gets a new menu
    await wa.send(wa.text("banana"))
    assert wa.texts_sent()[-1].startswith("Não entendi")
    await wa.send(wa.text("4"), wa.text("Mais bicicletários no campus"), wa.text("pronto"))
    protocol, _ = receipt_in(wa.texts_sent()[-1])
    found = await wa.desk.get(protocol)
    assert found.kind == "sugestao"
    assert "banana" in found.description  # nothing the person wrote is lost


async def test_interactive_menu_falls_back_to_text_when_refused(wa: WhatsApp) -> None:
    wa.graph.fail(131051, after=1)  # the greeting goes; the list is refused
    await wa.send(wa.text("Oi"))
    assert wa.graph.attempts[1]["type"] == "interactive"
    assert wa.graph.sent[-1]["type"] == "text"
    assert "1. Reclamação" in wa.texts_sent()[-1]


async def test_anonymous_denuncia_keeps_no_number(wa: WhatsApp) -> None:
    await wa.send(wa.text("Oi"), wa.text("2"))
    async with wa.desk.database.read() as session:
        [draft] = (await session.execute(sql("SELECT draft FROM whatsapp_contacts"))).scalars()
    assert "name" not in (json.loads(draft) if isinstance(draft, str) else draft)
    question = wa.graph.sent[-1]
    assert question["interactive"]["type"] == "button"
    assert "não será possível" in question["interactive"]["body"]["text"]
    await wa.send(wa.button_reply("ident:no", "Não, anônima"))
    await wa.send(wa.text("Um servidor cobra propina no setor X."), wa.text("pronto"))
    assert "denúncia anônima foi registrada" in wa.texts_sent()[-1]
    [item] = await wa.manifestations()
    assert item["kind"] == "comunicacao"
    assert await wa.desk.recipient(item["protocol"]) is None
    assert await wa.desk.find_open_by_address("whatsapp", CITIZEN) is None


async def test_an_anonymous_report_keeps_no_message_id_that_carries_the_number(
    wa: WhatsApp,
) -> None:
    # a WhatsApp message id is base64 with the sender's number inside
    inside = base64.b64encode(b"\x1c\x18\x0b" + CITIZEN.encode()).decode()[:16]
    assert inside in wamid()
    await wa.send(wa.text("2"), wa.text("não"), wa.text("Desvio de verbas no setor X."))
    await wa.send(wa.media("image", "m-anon", JPEG, "image/jpeg"), wa.text("pronto"))
    [item] = await wa.manifestations()
    assert len(await wa.desk.attachments(item["protocol"])) == 1
    async with wa.desk.database.read() as session:
        stored = [
            str(row)
            for query in (
                "SELECT external_id FROM messages",
                "SELECT extra FROM manifestations",
                "SELECT wamid FROM whatsapp_media",
            )
            for row in (await session.execute(sql(query))).scalars()
        ]
        sent = (await session.execute(sql("SELECT protocol FROM whatsapp_sent"))).scalars()
        outbox = (await session.execute(sql("SELECT payload FROM outbox"))).scalars()
        linked = [str(p) for p in [*sent, *outbox] if p and item["protocol"] in str(p)]
    assert stored
    assert linked == []  # nothing sent to the number names the report
    assert not [s for s in stored if inside in s or CITIZEN in s]


async def test_later_messages_join_until_closed_then_a_new_one_starts(wa: WhatsApp) -> None:
    await wa.send(wa.text("1"), wa.text("Fila enorme na biblioteca."), wa.text("pronto"))
    protocol, _ = receipt_in(wa.texts_sent()[-1])
    await wa.send(wa.text("Hoje de novo, 40 minutos."))
    inbound = [m["text"] for m in await wa.messages(protocol)]
    assert inbound[-1] == "Hoje de novo, 40 minutos."
    assert wa.texts_sent()[-1].startswith(
        f"Recebemos sua mensagem e juntamos ao protocolo {protocol}"
    )
    ouvidor = Actor(kind="user", name="ouvidor", role="ouvidor")
    for state in (State.ANSWERED, State.CLOSED):
        await wa.desk.transition(protocol, state, ouvidor, "respondida")
    await wa.b.run_worker(3)  # the conclusion notice goes out
    await wa.send(wa.text("Outro assunto"))
    assert wa.texts_sent()[-1].startswith("Como posso ajudar?")


async def test_sender_without_phone_number_is_served_by_user_id(wa: WhatsApp) -> None:
    bsuid = "US.13491208655302741918"
    message = {
        "from_user_id": bsuid,
        "id": wamid(),
        "timestamp": wa.ts(),
        "type": "text",
        "text": {"body": "Olá"},
    }
    contacts = [{"profile": {"name": "Ana", "username": "ana"}, "user_id": bsuid}]
    await wa.post(envelope(value(messages=[message], contacts=contacts)))
    await wa.b.run_worker(3)
    menu = wa.graph.sent[-1]
    assert menu["recipient"] == bsuid
    assert "to" not in menu


async def test_unknown_types_are_stored_as_unsupported(wa: WhatsApp) -> None:
    await wa.send(wa.text("1"), wa.text("Ar-condicionado quebrado."), wa.text("pronto"))
    protocol, _ = receipt_in(wa.texts_sent()[-1])
    odd = {
        "from": CITIZEN,
        "id": wamid(),
        "timestamp": wa.ts(),
        "type": "unsupported",
        "errors": [{"code": 131051, "title": "Message type unknown"}],
    }
    brand_new = {
        "from": CITIZEN,
        "id": wamid(),
        "timestamp": wa.ts(),
        "type": "hologram",
        "hologram": {"x": 1},
    }
    broken = {"from": CITIZEN, "id": wamid(), "timestamp": wa.ts(), "type": "interactive"}
    await wa.send(odd, brand_new, broken)
    texts = [m["text"] for m in await wa.messages(protocol)]
    assert "[Mensagem não suportada: tipo 'interactive']" in texts
    assert "[Mensagem não suportada: tipo 'unsupported']" in texts
    assert "[Mensagem não suportada: tipo 'hologram']" in texts


async def test_reaction_and_its_removal_are_both_recorded_once(wa: WhatsApp) -> None:
    await wa.send(wa.text("1"), wa.text("Falta papel no banheiro."), wa.text("pronto"))
    protocol, _ = receipt_in(wa.texts_sent()[-1])
    target, same_id = wa.graph.sent[-1], wamid()

    def reaction(emoji: str | None) -> dict:
        body = {"message_id": "wamid.FAKE3", **({"emoji": emoji} if emoji else {})}
        return {
            "from": CITIZEN,
            "id": same_id,
            "timestamp": wa.ts(),
            "type": "reaction",
            "reaction": body,
        }

    assert target
    await wa.send(reaction("\U0001f44d"), reaction(None), reaction("\U0001f44d"))
    texts = [m["text"] for m in await wa.messages(protocol)]
    assert texts.count("Reagiu com \U0001f44d a uma mensagem") == 1
    assert texts.count("Removeu a reação") == 1


@pytest.mark.parametrize(
    ("now", "reopens"),
    [
        (local(2026, 12, 1, 12, 0), "terça-feira, 01/12/2026, às 13h30"),  # lunch break
        (local(2026, 12, 1, 18, 0), "quarta-feira, 02/12/2026, às 7h30"),  # evening
        (local(2026, 12, 5, 10, 0), "segunda-feira, 07/12/2026, às 7h30"),  # Saturday
    ],
)
async def test_out_of_hours_reply_once_per_closed_period(
    wa: WhatsApp, now: dt.datetime, reopens: str
) -> None:
    wa.b.clock.set(now)
    await wa.send(wa.text("Quero reclamar do ônibus"))
    await wa.send(wa.text("Ele não passou hoje"))
    notices = [t for t in wa.texts_sent() if "fora do horário" in t]
    assert len(notices) == 1
    assert f"Voltamos {reopens}." in notices[0]
    assert "das 7h30 às 11h30 e das 13h30 às 17h30" in notices[0]
    await wa.send(wa.text("pronto"))
    protocol, _ = receipt_in(wa.texts_sent()[-1])
    found = await wa.desk.get(protocol)
    assert found.description == "Quero reclamar do ônibus\nEle não passou hoje"


async def test_a_new_closed_period_gets_a_new_automatic_reply(wa: WhatsApp) -> None:
    wa.b.clock.set(local(2026, 12, 1, 18, 0))
    await wa.send(wa.text("Primeira"))
    wa.b.clock.set(local(2026, 12, 2, 19, 0))
    await wa.send(wa.text("Segunda, no dia seguinte"))
    assert len([t for t in wa.texts_sent() if "fora do horário" in t]) == 2


async def test_a_conversation_abandoned_for_a_day_starts_over_keeping_the_text(
    wa: WhatsApp,
) -> None:
    await wa.send(wa.text("O elevador do bloco C"))
    assert wa.texts_sent()[-1].startswith("Como posso ajudar?")
    wa.b.clock.advance(hours=25)
    await wa.send(wa.text("Oi de novo"))
    assert wa.texts_sent()[-1].startswith("Como posso ajudar?")
    await wa.send(wa.text("3"), wa.text("Consertem o elevador, por favor."), wa.text("pronto"))
    protocol, _ = receipt_in(wa.texts_sent()[-1])
    found = await wa.desk.get(protocol)
    assert found.kind == "solicitacao"
    assert "O elevador do bloco C" in found.description


async def test_a_replayed_confirmation_does_not_register_twice(wa: WhatsApp) -> None:
    await wa.send(wa.text("1"), wa.text("Janela quebrada na sala 5."))
    async with wa.desk.database.read() as session:
        [before] = (await session.execute(sql("SELECT draft FROM whatsapp_contacts"))).all()
    done = wa.text("pronto")
    await wa.send(done)
    assert len(await wa.manifestations()) == 1
    # as if the worker had died after registering but before recording the conversation's
    # state: the same event is processed again with the conversation still waiting
    async with wa.desk.database.write() as session:
        await session.execute(
            sql("UPDATE whatsapp_contacts SET step = 'describe', kind = 'reclamacao', draft = :d"),
            {"d": before[0] if isinstance(before[0], str) else json.dumps(before[0])},
        )
    body = wa.body(envelope(value(messages=[done])))
    for _key, stored in split(body):
        assert await wa.desk.persist_inbound("whatsapp", "replay-after-crash", stored)
    await wa.b.run_worker(3)
    assert len(await wa.manifestations()) == 1
    await wa.send(wa.text("Outra coisa"))  # and the conversation is usable again
    [item] = await wa.manifestations()
    assert (await wa.messages(item["protocol"]))[-1]["text"] == "Outra coisa"
