"""The plugin's configuration: ``[plugins.meet]`` with ``BALCAO_MEET_*`` overrides."""

from __future__ import annotations

from pathlib import Path

import msgspec

__all__ = ["MeetConfig"]


class MeetConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Google Meet video attendance.

    Without ``service_account_file`` and ``delegated_user`` every booking gets
    ``fallback_link`` (one fixed Meet room); with them each booking gets its own
    Calendar event and Meet link.
    """

    fallback_link: str = ""
    service_account_file: str = ""
    delegated_user: str = ""
    calendar_id: str = "primary"
    token_url: str = "https://oauth2.googleapis.com/token"  # noqa: S105 - an address
    calendar_api_url: str = "https://www.googleapis.com/calendar/v3"
    meet_api_url: str = "https://meet.googleapis.com/v2"
    slot_minutes: int = 30
    buffer_minutes: int = 0
    days_ahead: int = 10
    lead_time_minutes: int = 120
    send_invitations: bool = True
    reminder_channel: str = "whatsapp"
    reminder_template: str = "lembrete_atendimento"
    import_after_minutes: int = 15
    import_give_up_hours: int = 48
    import_transcripts: bool = True
    bookings_per_hour: int = 10
    staff_link: str = "/staff/manifestacoes/{protocol}"
    google_timeout_seconds: float = 15.0
    pending_wait_seconds: float = 10.0

    def __post_init__(self) -> None:
        _check(self.slot_minutes >= 10, "slot_minutes", "use ao menos 10 minutos")
        _check(self.slot_minutes <= 240, "slot_minutes", "use no máximo 240 minutos")
        _check(self.buffer_minutes >= 0, "buffer_minutes", "use 0 ou mais minutos")
        _check(1 <= self.days_ahead <= 60, "days_ahead", "use de 1 a 60 dias úteis")
        _check(self.lead_time_minutes >= 0, "lead_time_minutes", "use 0 ou mais minutos")
        _check("{protocol}" in self.staff_link, "staff_link", "inclua {protocol} no endereço")
        _check(
            not self.fallback_link or self.fallback_link.startswith("https://"),
            "fallback_link",
            "use um endereço https://meet.google.com/...",
        )
        _check(
            bool(self.service_account_file) == bool(self.delegated_user),
            "delegated_user",
            "informe service_account_file e delegated_user juntos (ou nenhum dos dois)",
        )
        if self.service_account_file:
            _check(
                Path(self.service_account_file).is_file(),
                "service_account_file",
                f"arquivo {self.service_account_file!r} não encontrado",
            )

    @property
    def has_google(self) -> bool:
        """Whether bookings create their own Calendar event and Meet link."""
        return bool(self.service_account_file and self.delegated_user)


def _check(ok: bool, field: str, fix: str) -> None:
    if not ok:
        raise ValueError(f"{field}: {fix}")
