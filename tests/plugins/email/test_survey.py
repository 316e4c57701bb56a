"""The satisfaction survey by e-mail: one automatic message, when a case is concluded, to
the citizens who get answers by e-mail, with the way to the tracking page."""

from __future__ import annotations

import re
from typing import Any

from corpus import gmail
from email_support import email_config, receive, web_form_denuncia
from mail_servers import Arrived, SmtpSink

import balcao_email
import balcao_webform
from balcao import Citizen, Kind, Receipt, State, SurveyRequested, hookimpl
from balcao.testing import Balcao

PUBLIC = "https://balcao.ufmt.example.br"
TITLE = "Pesquisa de satisfação"


async def _conclude(balcao: Balcao, protocol: str) -> None:
    ouvidor, _ = await balcao.user("ouvidor")
    await balcao.desk.transition(protocol, State.ANSWERED, ouvidor, "respondida")
    await balcao.desk.transition(protocol, State.CLOSED, ouvidor, "concluída")
    await balcao.run_worker(3)


def _surveys(smtp: SmtpSink) -> list[Arrived]:
    return [a for a in smtp.arrived if a.message["Subject"].endswith(TITLE)]


async def _answered_web_form_case(balcao: Balcao, smtp: SmtpSink, **fields: Any) -> Receipt:
    receipt = await balcao.manifestation(channel="webform", **fields)
    actor, _ = await balcao.user("atendente")
    await balcao.desk.reply(receipt.protocol, "A manutenção foi chamada.", actor)
    await balcao.run_worker()
    return receipt


async def test_a_concluded_web_form_case_gets_one_survey_email(
    mail: Balcao, smtp: SmtpSink
) -> None:
    receipt = await _answered_web_form_case(mail, smtp)
    [answer] = smtp.arrived
    await _conclude(mail, receipt.protocol)
    [survey] = _surveys(smtp)
    assert survey.recipients == ["maria@example.org"]
    assert survey.message["Subject"] == f"[Protocolo {receipt.protocol}] {TITLE}"
    assert survey.message["Auto-Submitted"] == "auto-generated"
    assert survey.message["In-Reply-To"] == answer.message["Message-ID"]  # same thread
    assert answer.message["Message-ID"] in survey.message["References"]
    for body in (survey.text, survey.html):
        assert "Sua demanda foi atendida?" in body
        assert f"{PUBLIC}/acompanhar" in body
        assert receipt.protocol in body
        assert "opcional" in body
        assert "durante 7 dias" in body
        assert "Ouvidoria Geral da UFMT" in body
        assert receipt.access_code is not None and receipt.access_code not in body
    assert f'<a href="{PUBLIC}/acompanhar">' in survey.html
    page = await mail.client.get("/acompanhar")  # the link leads to the form that takes both
    assert 'name="protocol"' in page.text and 'name="access_code"' in page.text


class Listener:
    def __init__(self) -> None:
        self.events: list[SurveyRequested] = []

    @hookimpl
    def balcao_on_event(self, event: Any) -> None:
        if isinstance(event, SurveyRequested):
            self.events.append(event)


async def test_a_redelivered_event_sends_no_second_survey(make_balcao: Any, smtp: SmtpSink) -> None:
    listener = Listener()
    balcao = await make_balcao(
        plugins=[("email", balcao_email), ("webform", balcao_webform), ("listener", listener)],
        settings={"plugins": {"email": email_config(smtp)}, "public_url": PUBLIC},
    )
    receipt = await balcao.manifestation(channel="webform")
    await _conclude(balcao, receipt.protocol)
    balcao.clock.advance(hours=2)
    await balcao.run_worker(3)  # the worker again
    [event] = listener.events
    assert event.event_id
    await balcao_email.balcao_on_event(event, balcao.desk)  # delivered once more
    await balcao.run_worker(3)
    assert len(_surveys(smtp)) == 1


async def test_the_days_to_change_the_answer_follow_the_setting(
    make_balcao: Any, smtp: SmtpSink
) -> None:
    balcao = await make_balcao(
        plugins=[("email", balcao_email), ("webform", balcao_webform)],
        settings={
            "plugins": {"email": email_config(smtp)},
            "public_url": PUBLIC,
            "survey_change_days": 3,
        },
    )
    receipt = await balcao.manifestation(channel="webform")
    await _conclude(balcao, receipt.protocol)
    [survey] = _surveys(smtp)
    assert "durante 3 dias" in survey.text


async def test_an_email_case_is_told_how_to_get_the_code_it_was_not_sent(
    mail: Balcao, smtp: SmtpSink
) -> None:
    message_id, raw = gmail()
    await receive(mail, raw)
    found = re.search(r"\[Protocolo (\d{4}-\d{6})\]", smtp.arrived[-1].message["Subject"])
    assert found
    await _conclude(mail, found.group(1))
    [survey] = _surveys(smtp)
    assert survey.recipients == ["maria.silva@gmail.example"]
    assert survey.message["In-Reply-To"] == f"<{message_id}>"
    assert "Se você não tem o código, peça-o respondendo a este e-mail." in survey.text
    assert "Código de acesso" not in survey.text


async def test_a_denuncia_survey_subject_names_nothing(mail: Balcao, smtp: SmtpSink) -> None:
    receipt = await web_form_denuncia(mail)
    await _conclude(mail, receipt.protocol)
    [survey] = _surveys(smtp)
    assert survey.message["Subject"] == f"[Protocolo {receipt.protocol}] {TITLE}"
    assert "Fulano" not in survey.text and "José" not in survey.text


async def test_an_anonymous_case_gets_no_survey_email(mail: Balcao, smtp: SmtpSink) -> None:
    receipt = await mail.manifestation(
        channel="webform",
        kind=Kind.DENUNCIA,
        anonymous=True,
        citizen=Citizen(email="anonimo@example.org"),  # an anonymous case keeps no address
    )
    await _conclude(mail, receipt.protocol)
    assert smtp.arrived == []


async def test_a_citizen_without_an_address_gets_no_survey_email(
    mail: Balcao, smtp: SmtpSink
) -> None:
    receipt = await mail.manifestation(channel="webform", citizen=Citizen(name="Sem E-mail"))
    await _conclude(mail, receipt.protocol)
    assert smtp.arrived == []


async def test_channels_outside_notify_channels_get_no_survey_email(
    make_mail: Any, smtp: SmtpSink
) -> None:
    mail = await make_mail(notify_channels=["meet"])
    receipt = await mail.manifestation(channel="webform")
    await _conclude(mail, receipt.protocol)
    assert smtp.arrived == []


async def test_survey_false_sends_no_survey_email(make_mail: Any, smtp: SmtpSink) -> None:
    mail = await make_mail(survey=False)
    receipt = await _answered_web_form_case(mail, smtp)
    await _conclude(mail, receipt.protocol)
    assert len(smtp.arrived) == 1  # the answer went; the survey did not
    assert _surveys(smtp) == []
