"""The satisfaction survey of a concluded manifestation."""

from __future__ import annotations

from balcao._domain.survey import SurveyAnswer
from balcao._services import survey
from balcao._services.desk.base import DeskCore
from balcao._services.survey import SurveyView

__all__ = ["SurveyDesk"]


class SurveyDesk(DeskCore):
    """Survey state and answers."""

    async def survey(self, protocol: str) -> SurveyView:
        """Where the manifestation's satisfaction survey stands (open, answer given)."""
        async with self.database.read() as session:
            row = await self._load(session, protocol)
            answer = await survey.load_answer(session, row.id)
        return survey.survey_view(row, answer, self.now(), self.settings.survey_change_days)

    async def answer_survey(self, protocol: str, answer: SurveyAnswer, channel: str) -> SurveyView:
        """Store the citizen's answer, given through ``channel``; changeable for
        ``survey_change_days``. Raises :class:`SurveyClosed` when not open."""
        days = self.settings.survey_change_days
        async with self.database.write() as session:
            row = await self._load(session, protocol, for_update=True)
            event = await survey.save_answer(
                session, row, answer, channel, now=self.now(), change_days=days
            )
            await self._emit(session, [event])
        return await self.survey(protocol)
