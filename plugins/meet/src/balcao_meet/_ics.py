"""An iCalendar (RFC 5545) file for the citizen's own calendar."""

from __future__ import annotations

import datetime as dt

from balcao_meet._models import BookingRow

__all__ = ["booking_ics"]


def booking_ics(row: BookingRow, ouvidoria: str, now: dt.datetime) -> str:
    """One VEVENT in UTC; the summary and description in pt-BR."""
    link = row.meeting_url
    description = f"Protocolo {row.protocol}. Entre pelo link: {link}" if link else ""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Balcao//Atendimento por video//PT-BR",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{row.event_id}@balcao",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(row.start_at)}",
        f"DTEND:{_utc(row.end_at)}",
        f"SUMMARY:{_escape(f'Atendimento por vídeo - {ouvidoria}')}",
        f"DESCRIPTION:{_escape(description)}",
        *([f"URL:{link}", f"LOCATION:{_escape(link)}"] if link else []),
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "DESCRIPTION:Atendimento da ouvidoria",
        "TRIGGER:-PT15M",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_fold(line) + "\r\n" for line in lines)


def _utc(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    raw, parts = line.encode(), list[str]()
    while len(raw) > 75:
        cut = 75 if not parts else 74
        while cut and (raw[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
            cut -= 1
        parts.append(raw[:cut].decode())
        raw = raw[cut:]
    parts.append(raw.decode())
    return "\r\n ".join(parts)
