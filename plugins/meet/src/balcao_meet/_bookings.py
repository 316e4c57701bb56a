"""Booking, cancelling and moving video attendance: the plugin's use cases."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from balcao import (
    Actor,
    Citizen,
    InvalidManifestation,
    Kind,
    NewManifestation,
    NotFound,
    PluginDesk,
)
from balcao_meet._clients import google_for
from balcao_meet._config import MeetConfig
from balcao_meet._google import EventDraft, GoogleError
from balcao_meet._models import BookingRow, Status
from balcao_meet._notify import tell_citizen
from balcao_meet._requests import BookingRequest, checked_start, validated
from balcao_meet._slots import (
    Interval,
    SlotRules,
    business_horizon,
    candidate_slots,
    free_slots,
    slot_key,
)
from balcao_meet._store import SlotTaken, Store
from balcao_meet._text import when_text

__all__ = ["BookingClosed", "Bookings", "Confirmation", "SlotTaken"]

log = logging.getLogger("balcao.meet")
ACTOR = Actor.plugin("meet")
_WRONG = "protocolo ou código de acesso não conferem"


class BookingClosed(Exception):
    """The booking can no longer change (cancelled, done or already started): HTTP 409."""


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What the citizen is shown after booking or moving."""

    protocol: str
    access_code: str | None
    start: dt.datetime
    end: dt.datetime
    meeting_url: str
    status: str = Status.CONFIRMED.value


class Bookings:
    """The plugin's use cases for one balcão (cheap to build per request)."""

    def __init__(self, desk: PluginDesk, config: MeetConfig) -> None:
        self.desk = desk
        self.config = config
        self.store = Store(desk)
        self.google = google_for(desk, config)
        self.rules = SlotRules(config.slot_minutes, config.buffer_minutes, config.lead_time_minutes)

    # -- availability -----------------------------------------------------------------

    def horizon(self) -> dt.date:
        """The last day a citizen may book (``days_ahead`` business days from today)."""
        return business_horizon(self.desk.calendar, self.desk.today(), self.config.days_ahead)

    async def slots(self, first: dt.date, last: dt.date, fresh: bool = False) -> list[Interval]:
        """Free slots from ``first`` to ``last`` (both local dates), within the horizon;
        ``fresh`` asks the ouvidoria's calendar again instead of a reading of the last minute."""
        first, last = max(first, self.desk.today()), min(last, self.horizon())
        if last < first:
            return []
        candidates = list(candidate_slots(self.desk.calendar, self.rules, first, last))
        if not candidates:
            return []
        start, end = candidates[0].start, candidates[-1].end
        booked = await self.store.booked_keys(start, end)
        busy = await self._busy(start, end, fresh)
        return free_slots(
            candidates, now=self.desk.now(), rules=self.rules, booked=booked, busy=busy
        )

    async def _busy(self, start: dt.datetime, end: dt.datetime, fresh: bool) -> list[Interval]:
        if self.google is None:
            return []
        try:
            spans = await self.google.busy(start, end, fresh)
        except GoogleError as exc:
            # Bookings still cannot collide (unique slot); only staff events go unseen.
            log.warning("freeBusy failed, showing slots without it: %s", exc)
            return []
        return [Interval(_parse(a), _parse(b)) for a, b in spans]

    async def _free_slot(self, start: dt.datetime) -> Interval:
        start = checked_start(start)
        day = self.desk.calendar.local(start).date()
        for slot in await self.slots(day, day, fresh=True):
            if slot.start == start:
                return slot
        taken = await self.store.booked_keys(start, start + dt.timedelta(minutes=1))
        if taken:
            raise SlotTaken(slot_key(start))
        raise InvalidManifestation(
            "start", "horário indisponível: escolha um dos horários livres da agenda"
        )

    # -- booking ----------------------------------------------------------------------

    async def book(self, request: BookingRequest) -> Confirmation:
        """Reserve the slot (one winner per slot), register the manifestation, then create
        the meeting; a failure before the manifestation exists frees the slot again."""
        kind, description, citizen = validated(request)
        slot = await self._free_slot(request.start)
        booking_id = await self.store.reserve(self._new_row(slot, citizen))
        try:
            receipt = await self.desk.intake(self._manifestation(kind, description, citizen, slot))
        except BaseException:
            await self.store.delete(booking_id)
            raise
        await self.store.update(booking_id, lambda row: setattr(row, "protocol", receipt.protocol))
        row = await self._attach_meeting(booking_id, receipt.protocol, citizen)
        await self._note_booked(row)
        await self._confirm(row, "booked", "está marcado")
        return _confirmation(row, receipt.access_code)

    def _new_row(self, slot: Interval, citizen: Citizen) -> BookingRow:
        now = self.desk.now()
        return BookingRow(
            slot_key=slot_key(slot.start),
            start_at=slot.start,
            end_at=slot.end,
            status=Status.RESERVED.value,
            event_id="balcao" + uuid.uuid4().hex,
            event_state="none",
            meeting_url="",
            contact="whatsapp" if citizen.whatsapp else "email",
            reminders=[],
            import_state="waiting",
            import_attempts=0,
            created_at=now,
            updated_at=now,
            extra={},
        )

    def _manifestation(
        self, kind: Kind, description: str, citizen: Citizen, slot: Interval
    ) -> NewManifestation:
        when = when_text(self.desk.calendar, slot.start)
        return NewManifestation(
            kind=kind,
            channel="meet",
            subject=f"Atendimento por vídeo: {when}",
            description=description,
            citizen=citizen,
            channel_address=citizen.whatsapp or citizen.email,
            extra={"meet": {"start": slot.start.isoformat(), "end": slot.end.isoformat()}},
        )

    async def _attach_meeting(self, booking_id: int, protocol: str, citizen: Citizen) -> BookingRow:
        row = await self.store.by_id(booking_id)
        assert row is not None
        url, code, state, problem = await self._create_meeting(row, protocol, citizen.email)
        if problem:
            await self.desk.note(protocol, problem, ACTOR)

        def confirm(target: BookingRow) -> None:
            target.status, target.meeting_url = Status.CONFIRMED.value, url
            target.meeting_code, target.event_state = code, state

        return await self.store.update(booking_id, confirm)

    async def _create_meeting(
        self, row: BookingRow, protocol: str, email: str | None
    ) -> tuple[str, str | None, str, str]:
        """(url, meeting code, event state, a note for staff when something went wrong)."""
        if self.google is None:
            return self.config.fallback_link, None, "fallback", ""
        try:
            meeting = await self.google.calendar.insert(self.draft(row, protocol, email))
        except GoogleError as exc:
            return self._without_event(exc)
        if meeting.status == "missing":
            note = "O Google criou o evento sem sala do Meet; usado o link fixo."
            return self.config.fallback_link, None, "created", note
        if not meeting.url:
            return self.config.fallback_link, meeting.code, "pending", ""
        return meeting.url, meeting.code, "created", ""

    def _without_event(self, exc: GoogleError) -> tuple[str, str | None, str, str]:
        state = "retry" if exc.retryable else "failed"
        fallback = self.config.fallback_link
        plan = f"usado o link fixo {fallback}" if fallback else "sem link: informe o cidadão"
        retry = "; nova tentativa automática em alguns minutos" if exc.retryable else ""
        note = f"Reunião não criada no Google Agenda ({exc}); {plan}{retry}."
        return fallback, None, state, note

    def draft(self, row: BookingRow, protocol: str, email: str | None) -> EventDraft:
        """The Calendar event of ``row``."""
        return EventDraft(
            event_id=row.event_id,
            summary=f"Ouvidoria: atendimento {protocol}",
            description=f"Atendimento por vídeo da manifestação {protocol}.",
            start=row.start_at,
            end=row.end_at,
            timezone=str(self.desk.calendar.timezone.key),
            attendee_email=email if self.config.send_invitations else None,
            fallback_link=self.config.fallback_link,
        )

    async def _note_booked(self, row: BookingRow) -> None:
        link = row.meeting_url or "(link ainda não disponível)"
        when = when_text(self.desk.calendar, row.start_at)
        assert row.protocol is not None
        await self.desk.note(
            row.protocol, f"Atendimento por vídeo agendado: {when}. Link: {link}", ACTOR
        )

    async def _confirm(self, row: BookingRow, event: str, done: str) -> None:
        """Tell the citizen on their WhatsApp, with the link and how to change the booking."""
        when = when_text(self.desk.calendar, row.start_at)
        link = row.meeting_url or "o link será enviado por aqui"
        manage = f"{self.desk.settings.public_url.rstrip('/')}/channels/meet/gerenciar"
        text = (
            f"Ouvidoria: seu atendimento por vídeo (protocolo {row.protocol}) {done} para "
            f"{when}. Link: {link}. Para cancelar ou remarcar: {manage}"
        )
        key = f"{event}@{row.slot_key}"
        if await tell_citizen(self.desk, self.config, row, text, key=key) and row.protocol:
            await self.desk.note(
                row.protocol, f"Confirmação enviada por {self.config.reminder_channel}.", ACTOR
            )

    # -- citizen changes --------------------------------------------------------------

    async def find(self, protocol: str, access_code: str) -> BookingRow:
        """The booking behind ``protocol`` when the access code matches, else NotFound."""
        found = await self.desk.verify_access(protocol, access_code)
        if found is None:
            raise NotFound(_WRONG)
        row = await self.store.by_protocol(found.protocol)  # as stored, however it was typed
        if row is None:
            raise NotFound(f"a manifestação {protocol} não tem atendimento por vídeo agendado")
        return row

    async def cancel(self, protocol: str, access_code: str) -> BookingRow:
        """The citizen cancels: the slot is freed and the meeting removed."""
        row = self._changeable(await self.find(protocol, access_code))
        row = await self.release(row, Status.CANCELLED)
        when = when_text(self.desk.calendar, row.start_at)
        await self.desk.note(
            protocol, f"Atendimento por vídeo de {when} cancelado pelo cidadão.", ACTOR
        )
        return row

    async def move(self, protocol: str, access_code: str, start: dt.datetime) -> Confirmation:
        """The citizen moves the booking to another free slot; the meeting link stays."""
        row = self._changeable(await self.find(protocol, access_code))
        slot = await self._free_slot(start)
        old = row.start_at

        def reschedule(target: BookingRow) -> None:
            target.slot_key, target.start_at, target.end_at = (
                slot_key(slot.start),
                slot.start,
                slot.end,
            )

        row = await self.store.update(row.id, reschedule)
        await self._move_event(row)
        before, after = (
            when_text(self.desk.calendar, old),
            when_text(self.desk.calendar, slot.start),
        )
        text = f"Atendimento por vídeo remarcado de {before} para {after}."
        await self.desk.note(protocol, text, ACTOR)
        await self._confirm(row, "moved", "foi remarcado")
        return _confirmation(row, None)

    def _changeable(self, row: BookingRow) -> BookingRow:
        if not Status(row.status).holds_slot:
            raise BookingClosed(f"este agendamento já está {Status(row.status).label.lower()}")
        if row.start_at <= self.desk.now():
            raise BookingClosed("o horário deste atendimento já passou")
        return row

    async def _move_event(self, row: BookingRow) -> None:
        if self.google is None or row.event_state != "created":
            return
        zone = str(self.desk.calendar.timezone.key)
        try:
            await self.google.calendar.move(row.event_id, row.start_at, row.end_at, zone)
        except GoogleError as exc:
            await self._mark_event(
                row,
                "move_pending",
                f"Evento não remarcado no Google ({exc}); nova tentativa automática.",
            )

    async def release(self, row: BookingRow, status: Status) -> BookingRow:
        """Free the slot with ``status`` and remove the meeting."""

        def free(target: BookingRow) -> None:
            target.status, target.slot_key = status.value, None

        row = await self.store.update(row.id, free)
        await self.remove_event(row)
        return row

    async def remove_event(self, row: BookingRow) -> None:
        """Delete the Calendar event; on failure the sync job tries again later."""
        if self.google is None or row.event_state not in (
            "created",
            "pending",
            "move_pending",
            "delete_pending",
        ):
            return
        try:
            await self.google.calendar.delete(row.event_id)
        except GoogleError as exc:
            await self._mark_event(
                row,
                "delete_pending",
                f"Evento não removido do Google ({exc}); nova tentativa automática.",
            )
            return
        await self.store.update(row.id, lambda target: setattr(target, "event_state", "deleted"))

    async def _mark_event(self, row: BookingRow, state: str, note: str) -> None:
        await self.store.update(row.id, lambda target: setattr(target, "event_state", state))
        if row.protocol:
            await self.desk.note(row.protocol, note, ACTOR)


def _confirmation(row: BookingRow, access_code: str | None) -> Confirmation:
    assert row.protocol is not None
    return Confirmation(
        protocol=row.protocol,
        access_code=access_code,
        start=row.start_at,
        end=row.end_at,
        meeting_url=row.meeting_url,
        status=row.status,
    )


def _parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
