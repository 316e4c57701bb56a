"""A copy of the database (the SQLite file and its WAL, or a ``pg_dump``) and of the files
folder reveals no citizen: identified and anonymous denúncias through the web form, WhatsApp
and Meet, replied to, forwarded and one anonymised, leave no name, number, e-mail, CPF or
access code in clear, in any encoding; the ouvidor's reveal still shows them."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url
from whatsapp_payloads import WhatsApp, envelope, value

from balcao import Actor
from balcao._db.models import InboundEvent, ManifestationRow
from balcao.testing import Balcao

WEB = {
    "name": "Conceição Araújo Brandão",
    "email": "conceicao.brandao@exemplo.com.br",
    "phone": "(65) 98123-4567",
    "cpf": "529.982.247-25",
}
MEET = {
    "name": "Sebastião Antônio Guimarães",
    "email": "sebastiao.guimaraes@exemplo.com.br",
    "phone": "(65) 99977-1122",
}
WA_NAMED = ("5565981112233", "João Estêvão Gonçalves")
WA_ANONYMOUS = ("5565984445566", "Inês Magalhães Conceição")
FALABR_CODE = "ACESSO-Ç-0001"
NUP = "23108000123202695"
SLOT = "2026-12-02T08:00:00-04:00"


def _forms(secret: str) -> set[bytes]:
    """``secret`` as a copy could hold it: UTF-8, UTF-16 both ways, JSON-escaped."""
    escaped = json.dumps(secret)[1:-1]
    found = {secret.encode(), secret.encode("utf-16-le"), secret.encode("utf-16-be")}
    found |= {escaped.encode(), re.sub(r"\\u([0-9a-f]{4})", _upper, escaped).encode()}
    return found


def _upper(match: re.Match[str]) -> str:
    return "\\u" + match.group(1).upper()


def _secrets(codes: list[str]) -> set[str]:
    found = {FALABR_CODE, *codes}
    for person in (WEB, MEET):
        found |= set(person.values())
    for number, name in (WA_NAMED, WA_ANONYMOUS):
        found |= {number, name}
    for text in list(found):
        found |= {w for w in re.split(r"[\s.@()-]+", text) if len(w) >= 5 and not w.isdigit()}
        digits = re.sub(r"\D", "", text)
        if len(digits) >= 8:
            found.add(digits)
    return found - {"exemplo"}


async def _webform(b: Balcao, anonymous: bool) -> dict[str, Any]:
    body = {
        "kind": "denuncia",
        "subject": "Desvio de material",
        "description": "Materiais do laboratório somem às sextas-feiras.",
        "anonymous": anonymous,
        "citizen": None if anonymous else WEB,
        "consent": True,
    }
    response = await b.client.post("/channels/webform/api/manifestations", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _whatsapp(wa: WhatsApp, sender: tuple[str, str], identified: bool) -> tuple[str, str]:
    number, name = sender
    contacts = [{"profile": {"name": name}, "wa_id": number}]
    said = ("Oi", "2", "sim" if identified else "não", "Há desvio de verbas no almoxarifado.")
    for text in (*said, "pronto"):
        message = wa.text(text, sender=number)
        await wa.post(envelope(value(messages=[message], contacts=contacts)))
        await wa.b.run_worker(3)
    confirmation = wa.texts_sent(number)[-1]
    code = re.search(r"[Cc]ódigo de acesso: (\S+)", confirmation)
    return await _newest_whatsapp_case(wa.b), code.group(1) if code else ""


async def _newest_whatsapp_case(b: Balcao) -> str:
    """The case just registered (an anonymous report's confirmation names no protocol)."""
    query = (
        select(ManifestationRow.protocol)
        .where(ManifestationRow.channel == "whatsapp")
        .order_by(ManifestationRow.id.desc())
        .limit(1)
    )
    async with b.desk.database.read() as session:
        return str(await session.scalar(query))


async def _meet(b: Balcao) -> dict[str, Any]:
    body = {
        "start": SLOT,
        "kind": "denuncia",
        "description": "Quero relatar assédio num setor administrativo.",
        "citizen": MEET,
        "consent": True,
    }
    response = await b.client.post("/channels/meet/api/bookings", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _handle(b: Balcao, protocols: list[str]) -> None:
    """Reply to every case, forward one to a unit, hand one to Fala.BR with its code."""
    _, headers = await b.user("ouvidor")
    unit = {"code": "PROAD", "name": "Pró-Reitoria de Administração", "email": None}
    assert (await b.client.post("/api/v1/units", json=unit, headers=headers)).status_code < 300
    for protocol in protocols:
        answer = await b.client.post(
            f"/api/v1/manifestations/{protocol}/messages",
            json={"text": "Recebemos sua manifestação e vamos apurar."},
            headers=headers,
        )
        assert answer.status_code == 201, answer.text
    forward = await b.client.post(
        f"/api/v1/manifestations/{protocols[0]}/forward",
        json={"unit": "PROAD", "text": "Apurar desvio de material no laboratório."},
        headers=headers,
    )
    assert forward.status_code < 300, forward.text
    nup = await b.client.post(
        f"/exports/falabr_export/manifestations/{protocols[1]}/nup",
        json={"nup": NUP, "access_code": FALABR_CODE},
        headers=headers,
    )
    assert nup.status_code == 200, nup.text
    await b.run_worker(4)


def _raw_copy(database_url: str, files: Path) -> bytes:
    """What someone who copies the database and the files folder holds."""
    url = make_url(database_url)
    found = b"".join(p.read_bytes() for p in files.rglob("*") if p.is_file())
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        return found + b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    return found + _pg_dump(url)


def _pg_dump(url: Any) -> bytes:
    command = [
        shutil.which("pg_dump") or "pg_dump",
        "--host",
        url.host or "127.0.0.1",
        "--port",
        str(url.port or 5432),
        "--username",
        url.username or "postgres",
        "--no-owner",
        url.database,
    ]
    return subprocess.run(command, check=True, capture_output=True).stdout


async def _reveal(b: Balcao, protocol: str) -> dict[str, Any]:
    _, headers = await b.user("ouvidor")
    response = await b.client.post(
        f"/api/v1/manifestations/{protocol}/identity", json={"reason": "apuração"}, headers=headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json() or {})


async def test_a_copy_of_the_database_and_files_reveals_no_citizen(everything: WhatsApp) -> None:
    wa, b = everything, everything.b
    web = await _webform(b, anonymous=False)
    anonymous_web = await _webform(b, anonymous=True)
    named, named_code = await _whatsapp(wa, WA_NAMED, identified=True)
    hidden, _ = await _whatsapp(wa, WA_ANONYMOUS, identified=False)
    meet = await _meet(b)
    assert named_code and web["access_code"] and meet["access_code"]
    protocols = [web["protocol"], named, meet["protocol"], anonymous_web["protocol"], hidden]
    await _handle(b, protocols)
    ouvidor = Actor(kind="user", name="ouvidor@example.org", role="ouvidor")
    erased = await b.desk.anonymise_citizen(meet["protocol"], ouvidor, "pedido do titular")
    assert meet["protocol"] in erased

    copy = await asyncio.to_thread(
        _raw_copy, b.settings.database_url, Path(b.settings.attachments_dir)
    )
    secrets = _secrets([web["access_code"], named_code, meet["access_code"]])
    assert web["protocol"].encode() in copy  # the copy is real: the case itself is there
    leaks = sorted({s for s in secrets for form in _forms(s) if form in copy})
    assert leaks == []

    assert (await _reveal(b, web["protocol"]))["name"] == WEB["name"]
    assert (await _reveal(b, web["protocol"]))["cpf"] == "52998224725"
    revealed = await _reveal(b, named)
    assert (revealed["name"], revealed["whatsapp"]) == (WA_NAMED[1], WA_NAMED[0])
    assert not (await _reveal(b, meet["protocol"])).get("name")  # anonymised: gone for good


async def test_raw_inbound_events_are_emptied_after_the_retention(everything: WhatsApp) -> None:
    wa, b = everything, everything.b
    await _whatsapp(wa, WA_NAMED, identified=True)

    async def bodies() -> list[bytes]:
        async with b.desk.database.read() as session:
            return list(await session.scalars(select(InboundEvent.body)))

    assert all(await bodies())  # kept (sealed) while processing may still need them
    b.clock.advance(hours=b.settings.inbound_retention_hours + 1)
    await b.run_worker(1)
    assert await bodies() and not any(await bodies())
    duplicate = wa.text("Oi", sender=WA_NAMED[0])
    duplicate["id"] = "wamid.repetida"
    await wa.post(envelope(value(messages=[duplicate])))
    second = await wa.post(envelope(value(messages=[duplicate])))
    assert second.json()["new"] == 0  # the emptied rows still deduplicate


async def test_a_stored_message_keeps_only_its_own_senders_contact(everything: WhatsApp) -> None:
    wa, b = everything, everything.b
    people = [WA_NAMED, WA_ANONYMOUS]
    messages = [wa.text("Oi", sender=number) for number, _ in people]
    contacts = [{"profile": {"name": name}, "wa_id": number} for number, name in people]
    await wa.post(envelope(value(messages=messages, contacts=contacts)))
    async with b.desk.database.read() as session:
        rows = (await session.execute(select(InboundEvent))).scalars().all()
        stored = {
            r.external_id: b.desk.inbound_body(r.channel, r.external_id, r.body) for r in rows
        }
    for message, (_number, name) in zip(messages, people, strict=True):
        body = stored[f"message:{message['id']}"].decode()
        others = [n for _, n in people if n != name]
        assert json.dumps(name)[1:-1] in body or name in body
        assert not [n for n in others if n in body or json.dumps(n)[1:-1] in body]
