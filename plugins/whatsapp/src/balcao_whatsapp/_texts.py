"""What the balcão says on WhatsApp (pt-BR) and how a citizen's choice is understood."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from balcao import Kind

__all__ = [
    "ATTENDANT",
    "MENU",
    "choice_from",
    "closed_notice",
    "confirmation",
    "description_prompt",
    "identification_from",
    "identification_prompt",
    "menu_interactive",
    "menu_text",
    "render",
]

ATTENDANT = "atendente"
# (id, title <= 24 characters, description <= 72 characters)
MENU: tuple[tuple[str, str, str], ...] = (
    (Kind.RECLAMACAO.value, "Reclamação", "Insatisfação com um serviço da universidade"),
    (Kind.DENUNCIA.value, "Denúncia", "Irregularidade ou ato ilícito; pode ser anônima"),
    (Kind.SOLICITACAO.value, "Solicitação", "Pedir um atendimento ou providência"),
    (Kind.SUGESTAO.value, "Sugestão", "Ideia para melhorar um serviço"),
    (Kind.ELOGIO.value, "Elogio", "Reconhecer um bom atendimento"),
    (Kind.SIMPLIFIQUE.value, "Simplifique", "Propor simplificar um serviço público"),
    (ATTENDANT, "Falar com atendente", "Conversar com a equipe da ouvidoria"),
)
_WORDS = {"sim": "yes", "s": "yes", "1": "yes", "nao": "no", "n": "no", "2": "no"}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def menu_text(greeting: bool = True) -> str:
    lines = [f"{n}. {title}" for n, (_, title, _d) in enumerate(MENU, start=1)]
    head = "Olá! Você está no balcão virtual da Ouvidoria. " if greeting else "Não entendi. "
    return head + "Responda com o número do que deseja:\n" + "\n".join(lines)


def menu_interactive(greeting: bool = True) -> dict[str, Any]:
    """An interactive list with the same options as :func:`menu_text`."""
    rows = [{"id": f"menu:{key}", "title": title, "description": d} for key, title, d in MENU]
    body = "Olá! Você está no balcão virtual da Ouvidoria." if greeting else "Não entendi."
    return {
        "type": "list",
        "body": {"text": body + " Escolha o tipo de manifestação ou fale com um atendente."},
        "footer": {"text": "Você também pode responder com o número da opção."},
        "action": {"button": "Ver opções", "sections": [{"title": "Opções", "rows": rows}]},
    }


def choice_from(text: str) -> str | None:
    """The menu option a reply means: an interactive id, a number or the option's name."""
    folded = _fold(text)
    if folded.startswith("menu:"):
        folded = folded[5:]
    for number, (key, title, _d) in enumerate(MENU, start=1):
        if folded in (str(number), key, _fold(title)):
            return key
    return None


def identification_prompt() -> str:
    return (
        "Na denúncia você pode escolher se quer se identificar.\n"
        "- Identificada: seu nome e número ficam protegidos; só o ouvidor pode vê-los "
        "(Lei 13.460/2017, art. 10, § 7º) e você recebe o número de protocolo e o código "
        "de acesso para acompanhar.\n"
        "- Anônima: não guardamos seu nome nem seu número junto à denúncia. Por isso não será "
        "possível responder por aqui nem acompanhar o andamento.\n"
        "Deseja se identificar? Responda 1 para Sim ou 2 para Não (anônima)."
    )


def identification_buttons() -> dict[str, Any]:
    buttons = [("ident:yes", "Sim, identificar"), ("ident:no", "Não, anônima")]
    return {
        "type": "button",
        "body": {"text": identification_prompt()},
        "action": {
            "buttons": [{"type": "reply", "reply": {"id": i, "title": t}} for i, t in buttons]
        },
    }


def identification_from(text: str) -> bool | None:
    """True to be identified, False for anonymous, None when unclear."""
    folded = _fold(text).removeprefix("ident:")
    word = _WORDS.get(folded.split(",")[0].split(" ")[0], folded)
    return {"yes": True, "no": False}.get(word)


def description_prompt(title: str) -> str:
    return (
        f"Certo: {title}. Agora descreva em uma mensagem o que aconteceu, onde e quando. "
        "Você pode enviar fotos ou documentos também."
    )


def confirmation(protocol: str, code: str | None, tracking_url: str) -> str:
    if code is None:
        return (
            f"Sua denúncia anônima foi registrada com o protocolo {protocol}. "
            "Como ela é anônima, não será possível acompanhá-la nem responder por aqui. "
            "Obrigado por contribuir."
        )
    return (
        f"Sua manifestação foi registrada.\nProtocolo: {protocol}\nCódigo de acesso: {code}\n"
        f"Guarde o código: ele é mostrado só agora. Acompanhe em {tracking_url}. "
        "Se quiser acrescentar algo, é só mandar mensagem por aqui."
    )


def attendant_notice(protocol: str, code: str | None, tracking_url: str) -> str:
    return "Um atendente da ouvidoria vai continuar a conversa por aqui. " + confirmation(
        protocol, code, tracking_url
    )


def closed_notice(hours: str, next_opening: dt.datetime, tracking_url: str, falabr_url: str) -> str:
    when = next_opening.strftime("%d/%m/%Y às %Hh%M")
    return (
        "Olá! A Ouvidoria está fora do horário de atendimento agora. "
        f"Atendemos {hours}. Voltamos {when}.\n"
        "Você já pode registrar sua manifestação por aqui; a equipe lê quando voltar.\n"
        f"Acompanhe sua manifestação em {tracking_url}.\n"
        f"Para registrar formalmente agora, use o Fala.BR: {falabr_url}"
    )


def registered_after_hours(protocol: str, code: str | None, tracking_url: str) -> str:
    return confirmation(protocol, code, tracking_url)


_LABELS = {
    "image": "Imagem",
    "audio": "Áudio",
    "video": "Vídeo",
    "document": "Documento",
    "sticker": "Figurinha",
}


def media_label(media_type: str, voice: bool | None = None) -> str:
    return "Mensagem de voz" if media_type == "audio" and voice else _LABELS[media_type]


def render(kind: str, detail: str | None) -> str:
    """What staff read for a message that is not plain text."""
    if kind == "unsupported":
        return f"[Mensagem não suportada: tipo '{detail or 'desconhecido'}']"
    return f"[{kind}] {detail}" if detail else f"[{kind}]"
