"""The satisfaction survey on WhatsApp outside the 24-hour window, for anonymous reports,
and its buttons used from another number (the dialogue itself is in transcripts/survey*.txt)."""

from __future__ import annotations

from typing import Any

from test_conversation import receipt_in
from whatsapp_payloads import CITIZEN, WhatsApp, wamid

from balcao import Actor, Attended, State

OUVIDOR = Actor(kind="user", name="ouvidor", role="ouvidor")
OTHER = "5565988887777"


async def concluded(wa: WhatsApp, *, later_hours: int = 0) -> str:
    await wa.send(wa.text("3"), wa.text("Quero o histórico escolar."), wa.text("pronto"))
    protocol, _ = receipt_in(wa.texts_sent()[-1])
    wa.b.clock.advance(hours=later_hours)
    for state in (State.ANSWERED, State.CLOSED):
        await wa.desk.transition(protocol, state, OUVIDOR, "respondida")
    await wa.b.run_worker(3)
    return protocol


def template_reply(wa: WhatsApp, text: str) -> dict[str, Any]:
    """A tap on a template's quick-reply button, as the webhook reports it."""
    return {
        "from": CITIZEN,
        "id": wamid(),
        "timestamp": wa.ts(),
        "type": "button",
        "button": {"text": text, "payload": text},
    }


async def test_outside_the_window_the_survey_template_asks(make_whatsapp: Any) -> None:
    wa = await make_whatsapp(survey_template="balcao_pesquisa")
    protocol = await concluded(wa, later_hours=25)
    last = wa.graph.sent[-1]
    assert last["type"] == "template"
    assert last["template"]["name"] == "balcao_pesquisa"
    assert last["template"]["components"][0]["parameters"] == [{"type": "text", "text": protocol}]
    await wa.send(template_reply(wa, "Sim"))
    assert wa.texts_sent()[-1].startswith("Obrigado. De 1 (muito insatisfeito)")
    await wa.send(wa.text("2"), wa.text("Demorou demais."))
    answer = await wa.desk.survey(protocol)
    assert (answer.attended, answer.rating, answer.comment) == (Attended.YES, 2, "Demorou demais.")


async def test_outside_the_window_without_a_survey_template_nothing_is_sent(wa: WhatsApp) -> None:
    await wa.send(wa.text("3"), wa.text("Quero o histórico escolar."), wa.text("pronto"))
    protocol, _ = receipt_in(wa.texts_sent()[-1])
    wa.b.clock.advance(hours=25)
    before = len(wa.graph.attempts)
    for state in (State.ANSWERED, State.CLOSED):
        await wa.desk.transition(protocol, state, OUVIDOR, "respondida")
    await wa.b.run_worker(3)
    assert len(wa.graph.attempts) == before
    # the question is not pending either: a later "sim" is an ordinary message
    await wa.send(wa.text("sim"))
    assert not wa.texts_sent()[-1].startswith("Obrigado. De 1")
    assert (await wa.desk.survey(protocol)).open  # still answerable on the tracking page


async def test_an_anonymous_report_gets_no_survey(wa: WhatsApp) -> None:
    await wa.send(wa.text("2"), wa.button_reply("ident:no", "Não"))
    await wa.send(wa.text("Um servidor cobra propina no setor X."), wa.text("pronto"))
    [item] = await wa.manifestations()
    before = len(wa.graph.attempts)
    for state in (State.ANSWERED, State.CLOSED):
        await wa.desk.transition(item["protocol"], state, OUVIDOR, "concluída")
    await wa.b.run_worker(3)
    assert len(wa.graph.attempts) == before  # no notice, no question: no number is kept
    assert (await wa.desk.survey(item["protocol"])).attended is None


async def test_a_survey_button_answers_only_for_the_cases_own_number(wa: WhatsApp) -> None:
    protocol = await concluded(wa)
    await wa.send(wa.button_reply(f"survey:{protocol}:nao", "Não", sender=OTHER))
    assert not any(t.startswith("Obrigado. De 1") for t in wa.texts_sent(OTHER))
    await wa.send(wa.button_reply(f"survey:{protocol}:nao", "Não"))
    assert wa.texts_sent()[-1].startswith("Obrigado. De 1")
