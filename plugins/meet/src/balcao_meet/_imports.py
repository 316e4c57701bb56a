"""After a meeting: its conference records (start, end, participants) and, where the
Workspace allows, the transcript entries, added to the manifestation as an internal note."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from balcao import BusinessCalendar
from balcao_meet._bookings import ACTOR, Bookings
from balcao_meet._google import ConferenceReport, GoogleError
from balcao_meet._models import BookingRow, Status

__all__ = ["import_conferences", "report_note"]

log = logging.getLogger("balcao.meet")
_HELD = [Status.CONFIRMED.value, Status.ATTENDED.value, Status.NO_SHOW.value]


async def import_conferences(bookings: Bookings) -> int:
    """One pass over the meetings that ended; returns how many got their note."""
    if bookings.google is None:
        return 0
    settle = dt.timedelta(minutes=bookings.config.import_after_minutes)
    rows = await bookings.store.matching(
        BookingRow.import_state == "waiting",
        BookingRow.status.in_(_HELD),
        BookingRow.meeting_code.is_not(None),
        BookingRow.end_at <= bookings.desk.now() - settle,
    )
    done = 0
    for row in rows:
        done += await _import_one(bookings, row)
    return done


async def _import_one(bookings: Bookings, row: BookingRow) -> int:
    assert bookings.google is not None
    assert row.meeting_code is not None
    try:
        reports = await bookings.google.meet.reports(
            row.meeting_code, bookings.config.import_transcripts
        )
    except GoogleError as exc:
        return await _failed(bookings, row, exc)
    late = bookings.desk.now() > row.end_at + dt.timedelta(
        hours=bookings.config.import_give_up_hours
    )
    if not reports:
        return (
            await _finish(bookings, row, "none", _NOTHING) if late else await _wait(bookings, row)
        )
    if not late and not all(r.transcripts_final for r in reports):
        return await _wait(bookings, row)  # transcripts are still being written
    return await _finish(bookings, row, "done", report_note(bookings.desk.calendar, reports))


_NOTHING = (
    "Registro da reunião (Google Meet): nenhuma conferência encontrada para este "
    "atendimento; a reunião não aconteceu ou o registro já expirou."
)


async def _wait(bookings: Bookings, row: BookingRow) -> int:
    await bookings.store.update(
        row.id, lambda r: setattr(r, "import_attempts", r.import_attempts + 1)
    )
    return 0


async def _finish(bookings: Bookings, row: BookingRow, state: str, note: str) -> int:
    assert row.protocol is not None
    await bookings.store.update(row.id, lambda r: setattr(r, "import_state", state))
    # participants' display names and the transcript may name the citizen
    masked = await bookings.desk.mask_identity(row.protocol, note)
    await bookings.desk.note(row.protocol, masked, ACTOR)
    return 1 if state == "done" else 0


async def _failed(bookings: Bookings, row: BookingRow, exc: GoogleError) -> int:
    if exc.retryable:
        log.warning("meeting report of %s not read yet: %s", row.protocol, exc)
        return await _wait(bookings, row)
    note = (
        f"Registro da reunião não pôde ser lido ({exc}). Confira se a delegação inclui o "
        "escopo meetings.space.readonly."
    )
    return await _finish(bookings, row, "denied", note)


def report_note(calendar: BusinessCalendar, reports: list[ConferenceReport]) -> str:
    """The internal note: one section per conference."""
    return "\n\n".join(_section(calendar, r) for r in reports)


def _section(calendar: BusinessCalendar, report: ConferenceReport) -> str:
    names = {p.get("name", ""): _person(p) for p in report.participants}
    lines = [
        "Registro da reunião (Google Meet)",
        f"Início: {_clock(calendar, report.start)} · Fim: {_clock(calendar, report.end)}",
        f"Participantes ({len(report.participants)}):",
        *(f"- {_person(p)}: {_span(calendar, p)}" for p in report.participants),
    ]
    if report.entries:
        lines.append("Transcrição:")
        lines += [_entry(calendar, e, names) for e in report.entries]
    elif report.transcripts:
        lines.append("Transcrição: ainda não disponível.")
    return "\n".join(lines)


def _person(participant: dict[str, Any]) -> str:
    for key, suffix in (
        ("signedinUser", ""),
        ("anonymousUser", " (anônimo)"),
        ("phoneUser", " (telefone)"),
    ):
        if key in participant:
            return str(participant[key].get("displayName") or "sem nome") + suffix
    return "participante"


def _span(calendar: BusinessCalendar, participant: dict[str, Any]) -> str:
    start = _clock(calendar, participant.get("earliestStartTime"))
    return f"entrou {start}, saiu {_clock(calendar, participant.get('latestEndTime'))}"


def _entry(calendar: BusinessCalendar, entry: dict[str, Any], names: dict[str, str]) -> str:
    who = names.get(entry.get("participant", ""), "participante")
    return f"[{_clock(calendar, entry.get('startTime'))}] {who}: {entry.get('text', '')}"


def _clock(calendar: BusinessCalendar, value: str | None) -> str:
    if not value:
        return "em andamento"
    at = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return f"{calendar.local(at):%d/%m/%Y %H:%M:%S}"
