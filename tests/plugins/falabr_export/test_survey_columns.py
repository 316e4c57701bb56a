"""The Layout B CSV fills "Demanda Atendida" and "Satisfação" from the core's survey."""

from __future__ import annotations

import csv
import io

from balcao import Attended, Kind, State, SurveyAnswer
from balcao.testing import Balcao

from .common import REPORT, new_case


async def test_survey_answers_fill_the_two_columns_in_both_encodings(app: Balcao) -> None:
    ouvidor, headers = await app.user("ouvidor")
    partly, unanswered, denied = [await new_case(app) for _ in range(3)]
    for protocol in (partly, unanswered, denied):
        await app.desk.transition(protocol, State.ANSWERED, ouvidor, "respondida")
        await app.desk.transition(protocol, State.CLOSED, ouvidor, "concluída")
    await app.desk.answer_survey(
        partly,
        SurveyAnswer(attended=Attended.PARTLY, rating=3, comment="Maria achou lento"),
        "fake",
    )
    await app.desk.answer_survey(denied, SurveyAnswer(attended=Attended.NO, rating=1), "fake")
    await new_case(app, Kind.DENUNCIA, anonymous=True)
    for encoding in ("utf-8", "latin-1"):
        query = {"from": "2026-12-01", "to": "2026-12-01", "encoding": encoding}
        response = await app.client.get(REPORT, params=query, headers=headers)
        assert response.status_code == 200
        text = response.content.decode(encoding)
        rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
        answers = [(r["Demanda Atendida"], r["Satisfação"]) for r in rows]
        assert answers == [("Parcialmente", "3"), ("", ""), ("Não", "1"), ("", "")]
        assert "Maria achou lento" not in text  # the comment never leaves the balcão
