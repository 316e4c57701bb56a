"""The conversation at the balcão, in pt-BR: menu, description, confirmation, hours."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from conftest import local
from sqlalchemy import text as sql
from whatsapp_payloads import CITIZEN, WhatsApp, envelope, value, wamid

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
    assert "Falar com atendente" in [r["title"] for r in rows]
    assert all(len(r["title"]) <= 24 and len(r["description"]) <= 72 for r in rows)
    await wa.send(wa.list_reply("reclamacao"))
    assert "descreva" in wa.texts_sent()[-1]
    await wa.send(wa.text("O restaurante universitário fechou às 11h sem aviso."))
    protocol, code = receipt_in(wa.texts_sent()[-1])
    found = await wa.desk.verify_access(protocol, code)
    assert found is not None
    assert found.kind == "reclamacao"
    assert found.channel == "whatsapp"
    assert "restaurante universitário" in found.description
    assert await wa.desk.recipient(protocol) == CITIZEN


async def test_plain_text_numbers_work_and_nonsense_repeats_the_menu(make_whatsapp) -> None:
    wa = await make_whatsapp(interactive_menu=False)
    await wa.send(wa.text("Bom dia"))
    assert wa.graph.sent[-1]["type"] == "text"
    assert "4. Sugestão" in wa.texts_sent()[-1]
    await wa.send(wa.text("banana"))
    assert wa.texts_sent()[-1].startswith("Não entendi")
    await wa.send(wa.text("4"))
    await wa.send(wa.text("Mais bicicletários no campus"))
    protocol, _ = receipt_in(wa.texts_sent()[-1])
    found = await wa.desk.get(protocol)
    assert found.kind == "sugestao"
    assert "banana" in found.description  # nothing the person wrote is lost


async def test_interactive_menu_falls_back_to_text_when_refused(wa: WhatsApp) -> None:
    wa.graph.fail(131051)
    await wa.send(wa.text("Oi"))
    assert wa.graph.attempts[0]["type"] == "interactive"
    assert wa.graph.sent[-1]["type"] == "text"
    assert "1. Reclamação" in wa.texts_sent()[-1]


async def test_anonymous_denuncia_explains_anonymity_and_keeps_no_number(wa: WhatsApp) -> None:
    await wa.send(wa.text("Oi"), wa.text("2"))
    question = wa.graph.sent[-1]
    assert question["type"] == "interactive"
    assert question["interactive"]["type"] == "button"
    assert "anônima" in question["interactive"]["body"]["text"]
    assert "não será possível" in question["interactive"]["body"]["text"]
    await wa.send(wa.button_reply("ident:no", "Não, anônima"))
    await wa.send(wa.text("Um servidor cobra propina no setor X."))
    confirmation = wa.texts_sent()[-1]
    assert "denúncia anônima foi registrada" in confirmation
    assert "Código de acesso" not in confirmation
    [item] = await wa.manifestations()
    assert item["kind"] == "comunicacao"
    assert item["anonymous"] is True
    assert await wa.desk.recipient(item["protocol"]) is None
    assert await wa.desk.find_open_by_address("whatsapp", CITIZEN) is None


async def test_identified_denuncia_gets_an_access_code(wa: WhatsApp) -> None:
    await wa.send(wa.text("Oi"), wa.list_reply("denuncia"), wa.text("1"))
    await wa.send(wa.text("Desvio de material do laboratório."))
    protocol, code = receipt_in(wa.texts_sent()[-1])
    found = await wa.desk.verify_access(protocol, code)
    assert found is not None
    assert found.kind == "denuncia"
    assert not found.anonymous


async def test_attendant_option_registers_and_hands_over(wa: WhatsApp) -> None:
    await wa.send(wa.text("Preciso falar com alguém"), wa.list_reply("atendente"))
    assert "atendente" in wa.texts_sent()[-1]
    protocol, _ = receipt_in(wa.texts_sent()[-1])
    found = await wa.desk.get(protocol)
    assert found.kind == "nao_classificada"
    assert "falar com alguém" in found.description


async def test_later_messages_join_until_closed_then_a_new_one_starts(wa: WhatsApp) -> None:
    await wa.send(wa.text("Oi"), wa.text("1"), wa.text("Fila enorme na biblioteca."))
    protocol, _ = receipt_in(wa.texts_sent()[-1])
    sent_before = len(wa.graph.sent)
    await wa.send(wa.text("Hoje de novo, 40 minutos."))
    inbound = [m["text"] for m in await wa.messages(protocol)]
    assert inbound[-1] == "Hoje de novo, 40 minutos."
    assert len(wa.graph.sent) == sent_before  # no menu for a known conversation
    ouvidor = Actor(kind="user", name="ouvidor", role="ouvidor")
    for state in (State.ANSWERED, State.CLOSED):
        await wa.desk.transition(protocol, state, ouvidor, "respondida")
    await wa.send(wa.text("Outro assunto"))
    assert "Escolha o tipo" in wa.texts_sent()[-1]


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
    await wa.send(wa.text("Oi"), wa.text("1"), wa.text("Ar-condicionado quebrado."))
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
    await wa.send(wa.text("Oi"), wa.text("1"), wa.text("Falta papel no banheiro."))
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
        (local(2026, 12, 1, 12, 0), "01/12/2026 às 13h30"),  # weekday lunch break
        (local(2026, 12, 1, 18, 0), "02/12/2026 às 07h30"),  # weekday evening
        (local(2026, 12, 5, 10, 0), "07/12/2026 às 07h30"),  # Saturday
        (local(2026, 12, 25, 10, 0), "28/12/2026 às 07h30"),  # Christmas (a Friday)
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
    notice = notices[0]
    assert reopens in notice
    assert "07h30 às 11h30 e 13h30 às 17h30" in notice
    assert "https://balcao.example.org/acompanhar" in notice
    assert "https://falabr.cgu.gov.br" in notice
    await wa.send(wa.text("1"), wa.text("Hoje de novo."))
    protocol, _ = receipt_in(wa.texts_sent()[-1])
    found = await wa.desk.get(protocol)
    assert "Quero reclamar do ônibus\nEle não passou hoje" in found.description


async def identities_stored(wa: WhatsApp) -> int:
    """Identity rows that hold a name, a number or a channel address (every case has a
    row; an anonymous one seals an empty identity)."""
    async with wa.desk.database.read() as session:
        rows = await session.execute(sql("SELECT sealed, channel_address_hash FROM identities"))
        found = rows.all()
    opened = [json.loads(wa.desk.keys.decrypt(sealed)) for sealed, _hash in found if sealed]
    return sum(1 for o in opened if any(o.values())) + sum(1 for _s, d in found if d)


async def test_out_of_hours_anonymous_denuncia_stores_no_identity(wa: WhatsApp) -> None:
    wa.b.clock.set(local(2026, 12, 1, 22, 0))
    await wa.send(wa.text("Quero fazer uma denúncia anônima sobre assédio no setor X"))
    await wa.send(wa.text("2"))
    assert await wa.manifestations() == []
    assert await identities_stored(wa) == 0
    await wa.send(wa.text("Não quero me identificar!"))
    await wa.send(wa.text("O chefe grita com as servidoras todos os dias."))
    [item] = await wa.manifestations()
    assert item["kind"] == "comunicacao"
    assert await identities_stored(wa) == 0
    assert await wa.desk.recipient(item["protocol"]) is None
    assert "denúncia anônima foi registrada" in wa.texts_sent()[-1]


async def test_a_new_closed_period_gets_a_new_automatic_reply(wa: WhatsApp) -> None:
    wa.b.clock.set(local(2026, 12, 1, 18, 0))
    await wa.send(wa.text("Primeira"))
    wa.b.clock.set(local(2026, 12, 2, 19, 0))
    await wa.send(wa.text("Segunda, no dia seguinte"))
    assert len([t for t in wa.texts_sent() if "fora do horário" in t]) == 2


async def test_a_conversation_abandoned_for_a_day_starts_over_keeping_the_text(
    wa: WhatsApp,
) -> None:
    await wa.send(wa.text("O elevador do bloco C"), wa.text("1"))
    assert "descreva" in wa.texts_sent()[-1]
    wa.b.clock.advance(hours=25)
    await wa.send(wa.text("Oi de novo"))
    assert "Escolha o tipo" in wa.texts_sent()[-1]
    await wa.send(wa.text("3"), wa.text("Consertem o elevador, por favor."))
    protocol, _ = receipt_in(wa.texts_sent()[-1])
    found = await wa.desk.get(protocol)
    assert found.kind == "solicitacao"
    assert "O elevador do bloco C" in found.description


async def test_a_replayed_description_does_not_register_twice(wa: WhatsApp) -> None:
    await wa.send(wa.text("Oi"), wa.text("1"))
    description = wa.text("Janela quebrada na sala 5.")
    await wa.send(description)
    assert len(await wa.manifestations()) == 1
    # as if the worker had died after registering but before recording the conversation's
    # state: the same event is processed again with the conversation still waiting
    async with wa.desk.database.write() as session:
        await session.execute(
            sql("UPDATE whatsapp_contacts SET step = 'description', kind = 'reclamacao'")
        )
    body = wa.body(envelope(value(messages=[description])))
    for _key, stored in split(body):
        assert await wa.desk.persist_inbound("whatsapp", "replay-after-crash", stored)
    await wa.b.run_worker(3)
    assert len(await wa.manifestations()) == 1
    await wa.send(wa.text("Outra coisa"))  # and the conversation is usable again
    [item] = await wa.manifestations()
    protocol = item["protocol"]
    assert (await wa.messages(protocol))[-1]["text"] == "Outra coisa"
