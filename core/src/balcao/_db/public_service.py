"""Tables of the survey and the annual management report."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from balcao._db.types import Base

__all__ = ["AnnualReportNotes", "SurveyRow"]


class SurveyRow(Base):
    """One answer per manifestation; reports read it only in aggregate."""

    __tablename__ = "survey_answers"
    id: Mapped[int] = mapped_column(primary_key=True)
    manifestation_id: Mapped[int] = mapped_column(ForeignKey("manifestations.id"), unique=True)
    attended: Mapped[str] = mapped_column(String(16))
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(64))
    answered_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class AnnualReportNotes(Base):
    """What the ouvidor writes into the year's report (Lei 13.460 art. 15)."""

    __tablename__ = "annual_report_notes"
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    problems: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[dt.datetime]
