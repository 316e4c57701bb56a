"""Conversations written as dialogue and replayed against the fake Graph API.

A transcript is a plain text file:

    # comment
    ! config recipient_messages_per_minute = 10     plugin setting (a JSON value)
    ! setting closures = [{"start": ..., "end": ..., "reason": ...}]   core setting
    @ 2026-12-01 22:00         the clock, Cuiabá time; "@ +11min" moves it and runs the worker
    → Oi                       the citizen writes (the worker then runs)
    → [de 5565988887777] Oi    another number writes
    → [foto: legenda]          also [documento: nome.pdf], [voz], [figurinha], [contato],
                               [botão ident:no], [lista menu:reclamacao]
    ← Olá! …                   the balcão answers: "…" matches anything, {name} one word,
      next line                kept for later (e.g. "→ {protocol} {code}"); lines indented
                               by two spaces continue the message; a list shows its rows
                               as "[1. Reclamação | ...]", buttons as "[Sim] [Não]"
    @ equipe responde: texto   also "@ equipe responde com 10000 caracteres",
                               "@ equipe conclui", and checks: "@ registradas: 1",
                               "@ identidades guardadas: 0", "@ tipo: comunicacao",
                               "@ descrição: texto …", "@ anexos: 2",
                               "@ pesquisa: sim 4 comentário" (the survey's answer;
                               "@ pesquisa: nenhuma" when none was given)

A "←" block must match the next messages in order, and a "→" after "←" lines checks
that nothing else was said: a burst of "→" lines followed by one "←" is answered once.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text as sql
from whatsapp_payloads import CITIZEN, WhatsApp, wamid, without_heading

from balcao import Actor, State

__all__ = ["Transcript", "parse", "replay"]

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x01" * 200
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"1 0 obj\n" * 20
OGG = b"OggS\x00\x02" + b"\x00" * 22 + b"OpusHead" + b"\x02" * 200
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x04" * 200
CUIABA = dt.timezone(dt.timedelta(hours=-4))


@dataclass
class Line:
    number: int
    kind: str  # → ← @ !
    text: str


@dataclass
class Transcript:
    name: str
    lines: list[Line]
    config: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)


def parse(path: Path) -> Transcript:
    found = Transcript(path.stem, [])
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.startswith("  ") and found.lines and found.lines[-1].kind == "←":
            found.lines[-1].text += "\n" + raw[2:]
        elif raw.startswith("!"):
            scope, _, assignment = raw[1:].strip().partition(" ")
            name, _, value = assignment.partition("=")
            target = found.config if scope == "config" else found.settings
            target[name.strip()] = json.loads(value)
        elif raw[:1] in ("→", "←", "@"):
            found.lines.append(Line(number, raw[0], raw[1:].strip()))
    return found


class Replay:
    def __init__(self, wa: WhatsApp, transcript: Transcript) -> None:
        self.wa, self.t = wa, transcript
        self.sender = CITIZEN
        self.seen = 0
        self.values: dict[str, str] = {}
        self.previous = ""

    async def run(self) -> None:
        for line in self.t.lines:
            where = f"{self.t.name}.txt:{line.number}"
            if line.kind == "→":
                if self.previous == "←":
                    self.nothing_more(where)
                await self.citizen(self.fill(line.text))
            elif line.kind == "←":
                self.expect(line.text, where)
            else:
                await self.directive(line.text, where)
            self.previous = line.kind
        self.nothing_more(f"{self.t.name}.txt: end")

    def fill(self, text: str) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: self.values[m.group(1)], text)

    # -- the citizen ---------------------------------------------------------------------

    async def citizen(self, text: str) -> None:
        found = re.match(r"\[de (\d+)\]\s*(.*)", text)
        if found:
            self.sender, text = found.group(1), found.group(2)
        else:
            self.sender = CITIZEN
        await self.wa.send(self.message(text))

    def message(self, text: str) -> dict[str, Any]:
        wa, who = self.wa, self.sender
        found = re.fullmatch(r"\[(\w+)(?::? ?(.*))?\]", text)
        if found is None:
            return wa.text(text, sender=who)
        kind, detail = found.group(1), found.group(2) or ""
        if kind == "foto":
            extra = {"caption": detail} if detail else {}
            return wa.media("image", f"m-{wamid()[-8:]}", JPEG, "image/jpeg", who, **extra)
        if kind == "documento":
            return wa.media("document", f"d-{wamid()[-8:]}", PDF, "application/pdf", who,
                            filename=detail or "documento.pdf")  # fmt: skip
        if kind == "voz":
            return wa.media("audio", f"a-{wamid()[-8:]}", OGG, "audio/ogg", who, voice=True)
        if kind == "figurinha":
            return wa.media("sticker", f"s-{wamid()[-8:]}", WEBP, "image/webp", who)
        if kind == "contato":
            return _contact_card(wa, who)
        if kind == "botão":
            return wa.button_reply(detail, detail, sender=who)
        if kind == "lista" and detail.startswith("survey:"):
            return wa.list_reply(detail.rpartition(":")[2], sender=who, reply_id=detail)
        if kind == "lista":
            return wa.list_reply(detail.removeprefix("menu:"), sender=who)
        raise ValueError(f"mensagem desconhecida: {text}")

    # -- the balcão ----------------------------------------------------------------------

    def said(self) -> list[tuple[str, str]]:
        """(recipient, text as a person reads it) of every message sent, in order."""
        return [(p.get("to") or p.get("recipient"), _render(p)) for p in self.wa.graph.sent]

    def expect(self, expected: str, where: str) -> None:
        said = self.said()
        assert self.seen < len(said), f"{where}: esperava\n{expected}\nmas nada foi dito"
        recipient, actual = said[self.seen]
        pattern, names = _pattern(expected)
        found = re.fullmatch(pattern, actual, re.DOTALL)
        assert found, f"{where}: esperava\n{expected}\n--- foi dito ---\n{actual}"
        assert recipient == self.sender, f"{where}: dito a {recipient}, não a {self.sender}"
        for name in names:
            self.values[name] = found.group(name)
        self.seen += 1

    def nothing_more(self, where: str) -> None:
        extra = [text for _to, text in self.said()[self.seen :]]
        assert not extra, f"{where}: o balcão disse mais do que o roteiro:\n" + "\n--\n".join(extra)

    # -- directives ----------------------------------------------------------------------

    async def directive(self, text: str, where: str) -> None:
        wa = self.wa
        if text.startswith("+"):
            amount, unit = re.fullmatch(r"\+(\d+)\s*(min|h|s)", text).groups()  # type: ignore[union-attr]
            name = {"min": "minutes", "h": "hours", "s": "seconds"}[unit]
            wa.b.clock.advance(**{name: int(amount)})
            await wa.b.run_worker(3)
        elif re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", text):
            wa.b.clock.set(dt.datetime.fromisoformat(text).replace(tzinfo=CUIABA))
        elif text.startswith("equipe"):
            await self.staff(text[len("equipe") :].strip())
        else:
            await self.check(text, where)

    async def staff(self, action: str) -> None:
        wa, protocol = self.wa, self.values["protocol"]
        if action == "conclui":
            ouvidor = Actor(kind="user", name="ouvidor", role="ouvidor")
            await wa.desk.transition(protocol, State.ANSWERED, ouvidor, "respondida")
            await wa.desk.transition(protocol, State.CLOSED, ouvidor, "concluída")
            await wa.b.run_worker(3)
            return
        sized = re.fullmatch(r"responde com (\d+) caracteres", action)
        answer = long_answer(int(sized.group(1))) if sized else action.removeprefix("responde:")
        before = len(wa.graph.sent)
        await wa.reply(protocol, answer.strip())
        await wa.b.run_worker(3)
        parts = [without_heading(_render(p)) for p in wa.graph.sent[before:]]
        assert " ".join(parts).split() == answer.split(), "a resposta não chegou inteira"

    async def check(self, text: str, where: str) -> None:
        name, _, value = text.partition(":")
        name, value = name.strip(), value.strip()
        items = await self.wa.manifestations()
        if name == "registradas":
            assert len(items) == int(value), f"{where}: {len(items)} registradas"
        elif name == "identidades guardadas":
            stored = await identities_stored(self.wa)
            assert stored == int(value), f"{where}: {stored} identidades guardadas"
        elif name == "tipo":
            assert items[0]["kind"] == value, f"{where}: tipo {items[0]['kind']}"
        elif name == "descrição":
            found = await self.wa.desk.get(items[0]["protocol"])
            pattern, _names = _pattern(value.replace("\\n", "\n"))
            assert re.fullmatch(pattern, found.description, re.DOTALL), (
                f"{where}: descrição\n{found.description}"
            )
        elif name == "pesquisa":
            await self.survey(items[0]["protocol"], value, where)
        elif name == "anexos":
            files = await self.wa.desk.attachments(items[0]["protocol"])
            assert len(files) == int(value), f"{where}: {len(files)} anexos"
        else:
            raise ValueError(f"{where}: instrução desconhecida: {text}")

    async def survey(self, protocol: str, value: str, where: str) -> None:
        found = await self.wa.desk.survey(protocol)
        if value == "nenhuma":
            assert found.attended is None, f"{where}: pesquisa respondida: {found}"
            return
        attended, rating, comment = [*value.split(" ", 2), ""][:3]
        given = (found.attended, found.rating, found.comment, found.channel)
        assert given == (attended, int(rating), comment, "whatsapp"), f"{where}: {given}"


async def replay(wa: WhatsApp, transcript: Transcript) -> None:
    await Replay(wa, transcript).run()


async def identities_stored(wa: WhatsApp) -> int:
    """Identity rows holding a name, a number or an address (every case has a row; an
    anonymous one seals an empty identity)."""
    async with wa.desk.database.read() as session:
        rows = (
            await session.execute(
                sql("SELECT manifestation_id, sealed, channel_address_hash FROM identities")
            )
        ).all()
    return sum(1 for row, sealed, digest in rows if digest or _names_someone(wa, row, sealed))


def _names_someone(wa: WhatsApp, row: int, sealed: str | None) -> bool:
    if not sealed:
        return False
    opened = wa.desk.sealer("core.identity").open(sealed, row)
    return any(json.loads(opened).values())


def long_answer(size: int) -> str:
    """Paragraphs of numbered sentences, about ``size`` characters."""
    sentences = [f"Frase {n} da resposta, com o que a unidade informou." for n in range(1, 999)]
    paragraphs = [" ".join(sentences[i : i + 7]) for i in range(0, len(sentences), 7)]
    text = ""
    for paragraph in paragraphs:
        if len(text) + len(paragraph) > size:
            break
        text += paragraph + "\n\n"
    return text + "O prazo para recurso é de 10 dias."


def _render(payload: dict[str, Any]) -> str:
    kind = payload["type"]
    if kind == "text":
        return str(payload["text"]["body"])
    if kind == "template":
        return f"[modelo {payload['template']['name']}]"
    interactive = payload["interactive"]
    body = interactive["body"]["text"]
    if interactive["type"] == "list":
        rows = interactive["action"]["sections"][0]["rows"]
        return body + "\n[" + " | ".join(r["title"] for r in rows) + "]"
    buttons = interactive["action"]["buttons"]
    return body + "\n" + " ".join(f"[{b['reply']['title']}]" for b in buttons)


def _pattern(expected: str) -> tuple[str, list[str]]:
    names: list[str] = []
    out = []
    for piece in re.split(r"(…|\{\w+\})", expected):
        if piece == "…":
            out.append(".*?")
        elif re.fullmatch(r"\{\w+\}", piece):
            name = piece[1:-1]
            out.append(f"(?P={name})" if name in names else f"(?P<{name}>\\S+?)(?=[\\s.,:;)]|$)")
            names.append(name)
        else:
            out.append(re.escape(piece))
    return "".join(out), list(dict.fromkeys(names))


def _contact_card(wa: WhatsApp, sender: str) -> dict[str, Any]:
    return {
        "from": sender,
        "id": wamid(),
        "timestamp": wa.ts(),
        "type": "contacts",
        "contacts": [{"name": {"formatted_name": "Barbara J. Johnson"}, "phones": []}],
    }
