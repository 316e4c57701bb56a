"""The reporting exports: CGU open-data "Layout B" CSV and payload-shaped JSON, streamed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

from balcao import Manifestation
from balcao_falabr_export._codes import form_label, situation_label, type_label
from balcao_falabr_export._config import ENCODINGS, FalabrConfig
from balcao_falabr_export._payload import build_payload
from balcao_falabr_export._query import ReportRow

__all__ = ["ENCODINGS", "LAYOUT_B", "csv_chunks", "json_chunks"]

LAYOUT_B = (
    "Data Registro",
    "Data Prazo Resposta",
    "Data Resposta",
    "Faixa Etária",
    "Raça/Cor",
    "Gênero",
    "Município Manifestante",
    "UF do Município Manifestante",
    "Município Manifestação",
    "UF do Município Manifestação",
    "Tipo Manifestação",
    "Nome Órgão",
    "Município do Órgão",
    "UF do Órgão",
    "Assunto",
    "Dias para Resolução",
    "Dias de Atraso",
    "Formulário",
    "Situação",
    "Esfera",
    "Serviço",
    "Outro Serviço",
    "Demanda Atendida",
    "Satisfação",
)
_FLUSH_ROWS = 500
# The citizen's answer to the core's satisfaction survey, as the open-data files write it.
_ATTENDED = {"sim": "Sim", "parcialmente": "Parcialmente", "nao": "Não"}


def _day(value: dt.date | None) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}" if value else ""


def _answer_day(row: ReportRow, zone: ZoneInfo) -> dt.date | None:
    when = row.answered_at or (row.closed_at if row.state.value == "closed" else None)
    return when.astimezone(zone).date() if when else None


def _late_days(row: ReportRow, answered: dt.date | None, zone: ZoneInfo, today: dt.date) -> str:
    if row.due_on is None:
        return ""
    ended = row.closed_at.astimezone(zone).date() if row.closed_at else None
    reference = answered or (today if row.state.is_open else ended) or today
    return str(max(0, (reference - row.due_on).days))


def layout_b_row(row: ReportRow, config: FalabrConfig, zone: ZoneInfo, today: dt.date) -> list[str]:
    """One line: dates, type, órgão, situação; no identity and no free text."""
    registered = row.created_at.astimezone(zone).date()
    answered = _answer_day(row, zone)
    fields = dict.fromkeys(LAYOUT_B, "")
    fields.update(
        {
            "Data Registro": _day(registered),
            "Data Prazo Resposta": _day(row.due_on),
            "Data Resposta": _day(answered),
            "Tipo Manifestação": type_label(row.kind),
            "Nome Órgão": config.orgao_name,
            "Município do Órgão": config.orgao_city,
            "UF do Órgão": config.orgao_state,
            "Dias para Resolução": str((answered - registered).days) if answered else "",
            "Dias de Atraso": _late_days(row, answered, zone, today),
            "Formulário": form_label(row.kind),
            "Situação": situation_label(row.state),
            "Esfera": "Federal",
            "Demanda Atendida": _ATTENDED.get(row.attended or "", ""),
            "Satisfação": str(row.rating) if row.rating else "",
        }
    )
    return [fields[name] for name in LAYOUT_B]


async def csv_chunks(
    rows: AsyncIterator[ReportRow],
    config: FalabrConfig,
    zone: ZoneInfo,
    today: dt.date,
    encoding: str = "utf-8",
) -> AsyncIterator[bytes]:
    """``;``-separated, dd/mm/yyyy dates, in ``encoding`` (characters it lacks become '?')."""
    codec = ENCODINGS[encoding]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(LAYOUT_B)
    pending = 0
    async for row in rows:
        writer.writerow(layout_b_row(row, config, zone, today))
        pending += 1
        if pending >= _FLUSH_ROWS:
            yield buffer.getvalue().encode(codec, errors="replace")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode(codec, errors="replace")


def _as_manifestation(row: ReportRow) -> Manifestation:
    return Manifestation(
        id=0,
        protocol=row.protocol,
        kind=row.kind,
        channel=row.channel,
        state=row.state,
        subject=row.subject,
        description=row.description,
        anonymous=row.anonymous,
        created_at=row.created_at,
        updated_at=row.created_at,
        pseudonym=row.pseudonym,
    )


async def json_chunks(rows: AsyncIterator[ReportRow], config: FalabrConfig) -> AsyncIterator[bytes]:
    """A JSON array of create payloads (pseudonymized: bulk handover never carries identity)."""
    yield b"["
    first = True
    async for row in rows:
        payload = build_payload(_as_manifestation(row), config, None)
        yield (b"\n" if first else b",\n") + json.dumps(payload, ensure_ascii=False).encode()
        first = False
    yield b"\n]\n"
