"""The conversation as data: its steps, what each asks, the options it offers, where
"voltar" leads, and the commands understood in every step."""

from __future__ import annotations

import re
from dataclasses import dataclass

from balcao_whatsapp._texts import fold

__all__ = [
    "COMMANDS",
    "STEPS",
    "Option",
    "Step",
    "choose",
    "command_of",
    "identification",
    "intent",
    "is_small_talk",
    "protocol_in",
    "speaks_other_language",
]


@dataclass(frozen=True)
class Option:
    """A choice: ``id`` comes back in a list or button reply; ``words`` pick it in text."""

    id: str
    title: str  # the text itself (list rows) or a catalogue key (buttons)
    description: str = ""
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """A step of the conversation; ``prompt`` is a catalogue key (``describe`` adds the
    kind), ``back`` where "voltar" leads, ``only_for`` a kind that alone passes here."""

    name: str
    prompt: str
    back: str
    widget: str = "text"  # list | buttons | text
    options: tuple[Option, ...] = ()
    only_for: str | None = None


ATTENDANT = "atendente"
TRACK = "acompanhar"
DONE = "pronto"

# list rows: title <= 24 characters with its number, description <= 72
MENU = (
    Option("reclamacao", "Reclamação", "Insatisfação com um serviço da universidade",
           ("reclamacao", "reclamar", "reclamo", "queixa")),
    Option("denuncia", "Denúncia", "Irregularidade ou ato ilícito; pode ser anônima",
           ("denuncia", "denunciar")),
    Option("solicitacao", "Solicitação", "Pedir um atendimento ou providência",
           ("solicitacao", "solicitar", "pedido", "pedir")),
    Option("sugestao", "Sugestão", "Ideia para melhorar um serviço", ("sugestao", "sugerir")),
    Option("elogio", "Elogio", "Reconhecer um bom atendimento",
           ("elogio", "elogiar", "parabenizar")),
    Option("simplifique", "Simplifique", "Propor simplificar um serviço público",
           ("simplifique", "simplificar", "burocracia")),
    Option(ATTENDANT, "Falar com atendente", "Conversar com a equipe da ouvidoria",
           ("atendente", "falar com alguem", "falar com uma pessoa", "humano")),
    Option(TRACK, "Acompanhar", "Ver a situação de uma manifestação registrada",
           ("acompanhar", "situacao", "andamento", "status")),
)  # fmt: skip

STEPS: dict[str, Step] = {
    "menu": Step("menu", "menu", back="menu", widget="list", options=MENU),
    "identify": Step(
        "identify",
        "identify",
        back="menu",
        widget="buttons",
        options=(
            Option("ident:yes", "identify_yes", words=("sim", "s", "1", "identificar")),
            Option("ident:no", "identify_no", words=("nao", "n", "2", "anonima", "anonimo")),
        ),
        only_for="denuncia",
    ),
    "describe": Step(
        "describe",
        "describe_",
        back="identify",
        widget="buttons",
        options=(
            Option(DONE, "done_button", words=("pronto", "enviar", "registrar", "terminei")),
            Option("cancelar", "cancel_button"),
        ),
    ),
    "track": Step("track", "track_ask", back="menu"),
}

COMMANDS: dict[str, tuple[str, ...]] = {
    "menu": ("menu", "inicio", "opcoes", "recomecar"),
    "voltar": ("voltar", "volta", "anterior"),
    "cancelar": ("cancelar", "cancela", "sair"),
    ATTENDANT: ("atendente", "falar com atendente", "quero falar com atendente"),
    TRACK: ("acompanhar", "acompanhamento", "consultar"),
}


def command_of(answer: str) -> str | None:
    """A command typed alone (or its button/list id); words inside a sentence are content."""
    folded = fold(answer).removeprefix("menu:").removeprefix("cmd:")
    return next((name for name, words in COMMANDS.items() if folded in words), None)


def choose(step: Step, answer: str) -> Option | None:
    """The option a reply means: its id, its number, its title or one of its words alone."""
    folded = fold(answer).removeprefix("menu:")
    for number, option in enumerate(step.options, start=1):
        if folded in (option.id, str(number), fold(option.title), *option.words):
            return option
    return None


_SMALL_TALK = {
    "", "oi", "ola", "oie", "alo", "bom dia", "boa tarde", "boa noite", "tudo bem", "ok",
    "obrigado", "obrigada", "hello", "hi", "hola",
}  # fmt: skip


def is_small_talk(text: str) -> bool:
    """A greeting or a thank-you: nothing to keep in a description."""
    return fold(text) in _SMALL_TALK


def intent(answer: str) -> Option | None:
    """A menu option named in free text: "quero fazer uma denúncia" is a denúncia."""
    words = f" {fold(answer)} "
    for option in MENU:
        if any(f" {w} " in words for w in option.words):
            return option
    return None


def identification(answer: str) -> bool | None:
    """True to be identified, False for anonymous, None when unclear."""
    folded = fold(answer).removeprefix("ident:")
    if folded in ("yes", "no"):
        return folded == "yes"
    words = folded.replace(",", " ").split()
    if not words:
        return None
    if words[0] in ("nao", "n", "2") or any(w.startswith("anonim") for w in words):
        return False
    if words[0] in ("sim", "s", "1", "quero") or "identificar" in words:
        return True
    return None


_PROTOCOL = re.compile(r"\b(\d{4})\s*[-/.]?\s*(\d{6})\b")
# access codes are 10 symbols, shown as XXXXX-XXXXX
_CODE = re.compile(r"\b([0-9A-Za-z]{5}[- ]?[0-9A-Za-z]{5})\b")


def protocol_in(text: str) -> tuple[str, str | None] | None:
    """(protocol, access code or None) written in a message."""
    found = _PROTOCOL.search(text)
    if found is None:
        return None
    rest = text[: found.start()] + " " + text[found.end() :]
    # a ten-letter word is not a code: a code has a digit or is written in capitals
    codes = [c for c in _CODE.findall(rest) if c.isupper() or any(ch.isdigit() for ch in c)]
    return f"{found.group(1)}-{found.group(2)}", codes[0] if codes else None


_FOREIGN = {
    "hello", "hi", "please", "thanks", "thank", "help", "complaint", "english", "want",
    "hola", "gracias", "ayuda", "quiero", "queja", "necesito", "buenos", "buenas", "usted",
}  # fmt: skip


def speaks_other_language(text: str) -> bool:
    """Words a Portuguese speaker would not write: worth a hint in English and Spanish."""
    return bool(_FOREIGN & set(fold(text).replace(",", " ").split()))
