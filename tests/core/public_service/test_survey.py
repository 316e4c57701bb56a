"""The satisfaction survey: asked on conclusion, answered on the tracking path, once,
changeable for the configured days."""

from __future__ import annotations

from typing import Any

import pytest

from balcao import (
    Attended,
    Closed,
    Kind,
    State,
    SurveyAnswer,
    SurveyAnswered,
    SurveyClosed,
    SurveyRequested,
    hookimpl,
)
from balcao.testing import Balcao

from .common import concluded, post_page


class Listener:
    def __init__(self) -> None:
        self.events: list[Any] = []

    @hookimpl
    def balcao_on_event(self, event: Any) -> None:
        self.events.append(event)


@pytest.fixture
async def app(make_balcao: Any, recording_channel: Any) -> Balcao:
    return await make_balcao(plugins=[("fake", recording_channel)])


def answer(receipt: Any, **fields: Any) -> dict[str, Any]:
    return {"protocol": receipt.protocol, "access_code": receipt.access_code, **fields}


async def test_concluding_publishes_the_survey_request_for_channels(
    make_balcao: Any, recording_channel: Any
) -> None:
    listener = Listener()
    app = await make_balcao(plugins=[("fake", recording_channel), ("listener", listener)])
    receipt = await concluded(app)
    await app.run_worker()  # events reach plugins through the worker
    requests = [e for e in listener.events if isinstance(e, SurveyRequested)]
    assert [(e.protocol, e.channel, e.kind) for e in requests] == [
        (receipt.protocol, "fake", "reclamacao")
    ]


async def test_archiving_and_anonymous_comunicacao_ask_nothing(
    make_balcao: Any, recording_channel: Any
) -> None:
    listener = Listener()
    app = await make_balcao(plugins=[("fake", recording_channel), ("listener", listener)])
    ouvidor, _ = await app.user("ouvidor")
    archived = await app.manifestation()
    await app.desk.transition(archived.protocol, State.ARCHIVED, ouvidor, "duplicada")
    anonymous = await app.manifestation(kind=Kind.DENUNCIA, anonymous=True)
    await app.desk.transition(anonymous.protocol, State.ANSWERED, ouvidor, "apurada")
    await app.desk.transition(anonymous.protocol, State.CLOSED, ouvidor, "concluída")
    await app.run_worker()
    assert any(isinstance(e, Closed) for e in listener.events)  # the events did arrive
    assert not [e for e in listener.events if isinstance(e, SurveyRequested)]
    with pytest.raises(SurveyClosed):
        await app.desk.answer_survey(
            anonymous.protocol, SurveyAnswer(attended=Attended.YES, rating=5), "fake"
        )
    assert (await app.desk.survey(anonymous.protocol)).open is False


async def test_tracking_shows_the_survey_only_once_concluded(app: Balcao) -> None:
    ouvidor, _ = await app.user("ouvidor")
    receipt = await app.manifestation()
    body = answer(receipt)
    tracked = (await app.client.post("/api/v1/tracking", json=body)).json()
    assert tracked["survey"]["open"] is False and tracked["survey"]["attended"] is None
    early = await app.client.post(
        "/api/v1/tracking/survey", json=answer(receipt, attended="sim", rating=5)
    )
    assert early.status_code == 409
    assert "concluída" in early.json()["detail"]
    await app.desk.transition(receipt.protocol, State.ANSWERED, ouvidor, "respondida")
    await app.desk.transition(receipt.protocol, State.CLOSED, ouvidor, "concluída")
    tracked = (await app.client.post("/api/v1/tracking", json=body)).json()
    assert tracked["survey"]["open"] is True


async def test_answer_by_api_then_change_within_the_days_then_locked(app: Balcao) -> None:
    receipt = await concluded(app)
    first = await app.client.post(
        "/api/v1/tracking/survey",
        json=answer(receipt, attended="parcialmente", rating=3, comment="demorou"),
    )
    assert first.status_code == 200, first.text
    assert first.json()["attended"] == "parcialmente" and first.json()["rating"] == 3
    app.clock.advance(days=6)
    second = await app.client.post(
        "/api/v1/tracking/survey", json=answer(receipt, attended="sim", rating=4)
    )
    assert second.status_code == 200
    view = await app.desk.survey(receipt.protocol)
    assert (view.attended, view.rating, view.comment) == (Attended.YES, 4, "")
    app.clock.advance(days=2)
    late = await app.client.post(
        "/api/v1/tracking/survey", json=answer(receipt, attended="nao", rating=1)
    )
    assert late.status_code == 409
    assert "7 dias" in late.json()["detail"]
    assert (await app.desk.survey(receipt.protocol)).rating == 4


async def test_change_window_is_a_setting(make_balcao: Any, recording_channel: Any) -> None:
    app = await make_balcao(
        plugins=[("fake", recording_channel)], settings={"survey_change_days": 1}
    )
    receipt = await concluded(app)
    await app.desk.answer_survey(
        receipt.protocol, SurveyAnswer(attended=Attended.NO, rating=2), "fake"
    )
    app.clock.advance(days=1)
    with pytest.raises(SurveyClosed):
        await app.desk.answer_survey(
            receipt.protocol, SurveyAnswer(attended=Attended.YES, rating=5), "fake"
        )


async def test_wrong_code_bad_values_and_rate_limit(
    make_balcao: Any, recording_channel: Any
) -> None:
    app = await make_balcao(
        plugins=[("fake", recording_channel)], settings={"tracking_rate_limit_per_hour": 3}
    )
    receipt = await concluded(app)
    wrong = await app.client.post(
        "/api/v1/tracking/survey",
        json={**answer(receipt, attended="sim", rating=5), "access_code": "ERRADO"},
    )
    assert wrong.status_code == 404
    assert (await app.desk.survey(receipt.protocol)).attended is None
    for bad in ({"attended": "talvez", "rating": 3}, {"attended": "sim", "rating": 9}):
        response = await app.client.post("/api/v1/tracking/survey", json=answer(receipt, **bad))
        assert 400 <= response.status_code < 500 and response.status_code != 404
    await app.client.post("/api/v1/tracking", json=answer(receipt))
    limited = await app.client.post(
        "/api/v1/tracking/survey", json=answer(receipt, attended="sim", rating=5)
    )
    assert limited.status_code == 429
    assert (await app.desk.survey(receipt.protocol)).attended is None


async def test_the_tracking_page_form_answers_and_shows_the_answer(app: Balcao) -> None:
    receipt = await concluded(app)
    page = await post_page(app, "/acompanhar", answer(receipt))
    assert "Sua demanda foi atendida?" in page.text
    assert 'action="/acompanhar/pesquisa"' in page.text
    sent = await post_page(
        app,
        "/acompanhar/pesquisa",
        answer(receipt, attended="nao", rating="2", comment="Ninguém respondeu direito"),
    )
    assert sent.status_code == 200
    assert "Obrigado" in sent.text
    assert "Ninguém respondeu direito" in sent.text and "<strong>Não</strong>" in sent.text
    missing = await post_page(app, "/acompanhar/pesquisa", answer(receipt, attended="sim"))
    assert missing.status_code == 422
    assert "nota de 1 a 5" in missing.text
    wrong = await post_page(
        app,
        "/acompanhar/pesquisa",
        {**answer(receipt, attended="sim", rating="5"), "access_code": "X"},
    )
    assert wrong.status_code == 404
    assert "Ninguém respondeu" not in wrong.text


async def test_a_channel_plugin_answers_through_the_public_api(
    make_balcao: Any, recording_channel: Any
) -> None:
    listener = Listener()
    app = await make_balcao(plugins=[("fake", recording_channel), ("listener", listener)])
    receipt = await concluded(app)
    view = await app.desk.answer_survey(
        receipt.protocol, SurveyAnswer(attended=Attended.YES, rating=5), "fake"
    )
    assert view.channel == "fake" and view.changeable_until is not None
    await app.run_worker()
    answered = [e for e in listener.events if isinstance(e, SurveyAnswered)]
    assert [(e.channel, e.attended, e.rating, e.changed) for e in answered] == [
        ("fake", "sim", 5, False)
    ]
