"""The satisfaction survey on WhatsApp: asked when a case that came by WhatsApp is
concluded, answered with buttons (whatever the conversation is doing) or plain words."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from balcao import (
    Attended,
    InvalidSurveyAnswer,
    PluginDesk,
    SurveyAnswer,
    SurveyClosed,
    SurveyRequested,
)
from balcao_whatsapp import _flow as flow
from balcao_whatsapp._config import WhatsAppConfig
from balcao_whatsapp._models import ContactRow, StateRow
from balcao_whatsapp._store import find_contact, seal, storage
from balcao_whatsapp._texts import Catalogue, fold

if TYPE_CHECKING:
    from balcao_whatsapp._conversation import Turn

__all__ = ["ask", "reply"]

log = logging.getLogger("balcao.whatsapp")
CHANNEL = "whatsapp"
WINDOW = dt.timedelta(hours=24)
PENDING = dt.timedelta(days=7)
PREFIX = "survey:"
SKIP = "pular"
_ATTENDED = {
    Attended.YES: ("sim", "s"),
    Attended.PARTLY: ("parcialmente", "parcial", "em parte", "mais ou menos"),
    Attended.NO: ("nao", "n"),
}


# -- asking --------------------------------------------------------------------------------


async def ask(event: SurveyRequested, desk: PluginDesk, config: WhatsAppConfig) -> None:
    """Ask "Sua demanda foi atendida?": buttons inside the 24-hour window, the approved
    ``survey_template`` outside it (none configured: not asked here). Anonymous cases keep
    no number and are never asked."""
    address = await desk.recipient(event.protocol) if event.channel == CHANNEL else None
    if address is None:
        return
    async with storage(desk).read() as session:
        contact = await find_contact(session, desk, address)
    if contact is None:
        return
    inside = _window_open(desk, contact)
    if not inside and not config.survey_template:
        log.info("survey for %s not asked: outside the window, no survey_template", event.protocol)
        return
    await _remember(desk, contact, {"protocol": event.protocol, "stage": "attended"})
    await _send_question(event, desk, config, seal(desk, address), inside)


async def _send_question(
    event: SurveyRequested, desk: PluginDesk, config: WhatsAppConfig, to: str, inside: bool
) -> None:
    text = Catalogue(config.texts).say("survey_attended", protocol=event.protocol)
    extra: dict[str, Any] = {"to": to}
    if inside:
        extra["interactive"] = attended_buttons(event.protocol, text)
    else:
        extra["template"] = config.survey_template
    await desk.enqueue(
        CHANNEL,
        idempotency_key=f"survey:{event.protocol}:{event.occurred_at.isoformat()}",
        text=text,
        protocol=event.protocol,
        kind="bot" if inside else "template",
        extra=extra,
        # after the conclusion notice, which is queued under the protocol
        ordering_key=event.protocol,
    )


def _window_open(desk: PluginDesk, contact: ContactRow) -> bool:
    last = contact.last_inbound_at
    return last is not None and desk.now() - last < WINDOW


def attended_buttons(protocol: str, body: str) -> dict[str, Any]:
    buttons = [
        {"type": "reply", "reply": {"id": f"{PREFIX}{protocol}:{a.value}", "title": a.label}}
        for a in Attended
    ]
    return {"type": "button", "body": {"text": body[:1024]}, "action": {"buttons": buttons}}


def _rating_list(texts: Catalogue, protocol: str, body: str) -> dict[str, Any]:
    rows = [{"id": f"{PREFIX}{protocol}:{n}", "title": str(n)} for n in range(5, 0, -1)]
    return {
        "type": "list",
        "body": {"text": body},
        "action": {
            "button": texts.say("survey_rating_button"),
            "sections": [{"title": "Nota", "rows": rows}],
        },
    }


def _skip_button(texts: Catalogue, protocol: str, body: str) -> dict[str, Any]:
    reply = {"id": f"{PREFIX}{protocol}:{SKIP}", "title": texts.say("survey_skip_button")[:20]}
    return {
        "type": "button",
        "body": {"text": body[:1024]},
        "action": {"buttons": [{"type": "reply", "reply": reply}]},
    }


# -- pending surveys -----------------------------------------------------------------------


def _key(contact: ContactRow) -> str:
    return f"survey:{contact.address_hash}"[:64]


async def _remember(desk: PluginDesk, contact: ContactRow, value: dict[str, Any]) -> None:
    async with storage(desk).write() as session:
        row = await session.get(StateRow, _key(contact))
        if row is None:
            session.add(StateRow(key=_key(contact), value=value, updated_at=desk.now()))
        else:
            row.value, row.updated_at = value, desk.now()


async def _pending(desk: PluginDesk, contact: ContactRow) -> dict[str, Any] | None:
    async with storage(desk).read() as session:
        row = await session.get(StateRow, _key(contact))
    if row is None or not row.value or desk.now() - row.updated_at > PENDING:
        return None
    return dict(row.value)


# -- answering -----------------------------------------------------------------------------


async def reply(turn: Turn) -> bool:
    """Take this message as a survey answer, if it is one: a survey button (any step), or
    while a survey waits and nothing else is being asked, "sim", "parcialmente", "não",
    a note 1 to 5 or the comment. False: the conversation goes on as usual."""
    inc = turn.inc
    if inc is None or inc.address is None or inc.media is not None:
        return False
    pending = await _pending(turn.desk, turn.contact)
    button = await _button(turn.desk, inc.answer, inc.address)
    if button is not None:
        protocol, value = button
        if pending is None or pending["protocol"] != protocol:
            pending = {"protocol": protocol, "stage": "attended"}
    elif pending is None or not _listening(turn):
        return False
    elif pending["stage"] == "comment":
        await _record(turn, pending, _comment(inc.answer))
        return True
    else:
        value = _word(pending["stage"], inc.answer)
    if value is None:
        return False
    await _take(turn, pending, value)
    return True


def _listening(turn: Turn) -> bool:
    """Words answer the survey when no other conversation is going on, or when the survey
    asked last."""
    asked_last = turn.memo.get("prompted", {}).get("purpose") == "survey"
    return turn.contact.step == "idle" or asked_last


async def _button(desk: PluginDesk, answer: str, address: str) -> tuple[str, str] | None:
    """(protocol, value) of a survey button, only for a case of this very number."""
    if not answer.startswith(PREFIX):
        return None
    protocol, _, value = answer.removeprefix(PREFIX).rpartition(":")
    if not protocol or await desk.recipient(protocol) != address:
        return None
    return protocol, value


def _word(stage: str, answer: str) -> str | None:
    folded = fold(answer)
    if stage == "attended":
        return next((a.value for a, words in _ATTENDED.items() if folded in words), None)
    return folded if folded in ("1", "2", "3", "4", "5") else None


def _comment(answer: str) -> str:
    """The comment written; "pular", "não" or a command leave it empty."""
    folded = fold(answer)
    if flow.command_of(answer) is not None or folded in (SKIP, "nao", "n"):
        return ""
    return answer.strip()


async def _take(turn: Turn, pending: dict[str, Any], value: str) -> None:
    texts, protocol = turn.texts, pending["protocol"]
    if value in {a.value for a in Attended}:
        pending.update(attended=value, stage="rating")
        text = texts.say("survey_rating")
        await _remember(turn.desk, turn.contact, pending)
        await turn.say("survey", text, interactive=_rating_list(texts, protocol, text))
    elif value.isdigit() and "attended" in pending and pending["stage"] != "comment":
        pending.update(rating=int(value), stage="comment")
        text = texts.say("survey_comment")
        await _remember(turn.desk, turn.contact, pending)
        await turn.say("survey", text, interactive=_skip_button(texts, protocol, text))
    elif pending["stage"] == "comment":
        await _record(turn, pending, "" if value == SKIP else value)


async def _record(turn: Turn, pending: dict[str, Any], comment: str) -> None:
    answer_text = turn.texts.say("survey_thanks")
    try:
        answer = SurveyAnswer(
            attended=Attended(pending["attended"]), rating=pending["rating"], comment=comment
        )
        await turn.desk.answer_survey(pending["protocol"], answer, CHANNEL)
    except InvalidSurveyAnswer as exc:
        await turn.say("survey", f"{exc}.")
        return
    except SurveyClosed as exc:
        answer_text = str(exc)
    await _remember(turn.desk, turn.contact, {})
    await turn.say("survey", answer_text)
