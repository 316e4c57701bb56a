"""What the balcão says on WhatsApp: a pt-BR catalogue the ouvidoria may change
(``[plugins.whatsapp.texts]``), and how a citizen's words are understood."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping

from balcao_whatsapp._parts import LIMIT, split_text

__all__ = [
    "CATALOGUE",
    "Catalogue",
    "check_overrides",
    "fold",
    "media_label",
    "render",
]

_HOW = (
    "Pode mandar várias mensagens, fotos, documentos ou áudios. Quando terminar, toque em "
    "*Pronto* ou escreva pronto (se você parar de escrever por {pause} minutos, registro o "
    "que recebi)."
)

CATALOGUE: dict[str, str] = {
    "greeting": (
        "Olá! Aqui é o assistente automático do balcão virtual da {ouvidoria}. Eu registro "
        "sua manifestação; a equipe da ouvidoria lê e responde por aqui, {hours}.\n"
        "Seus dados ficam protegidos (Lei 13.460/2017 e LGPD). Aviso de privacidade: "
        "{privacy_url}"
    ),
    "closed_now": (
        "Agora estamos fora do horário de atendimento. Voltamos {reopens}. Você já pode "
        "registrar sua manifestação por aqui; a equipe lê quando voltar."
    ),
    "closed_holiday": (
        "Hoje não há atendimento: é feriado ({reason}). Voltamos {reopens}. Você já pode "
        "registrar sua manifestação por aqui; a equipe lê quando voltar."
    ),
    "closed_recess": (
        "A ouvidoria está em recesso ({reason}) até {until}. Voltamos {reopens}. Você já "
        "pode registrar sua manifestação por aqui; a equipe lê quando voltar."
    ),
    "language_hint": (
        "(English) We answer in Portuguese, but you may write in English: the team will "
        "read it. Send menu to see the options.\n"
        "(Español) Respondemos en portugués, pero puede escribir en español: el equipo lo "
        "leerá. Envíe menu para ver las opciones."
    ),
    "menu": "Como posso ajudar? Escolha uma opção ou responda com o número:",
    "menu_again": "Não entendi. Escolha uma opção ou responda com o número:",
    "menu_button": "Ver opções",
    "menu_footer": "A qualquer momento: menu, voltar, cancelar",
    "identify": (
        "Na denúncia você escolhe se quer se identificar.\n"
        "- Identificada: seu nome e número ficam protegidos; só o ouvidor pode vê-los "
        "(Lei 13.460/2017, art. 10, § 7º), e você recebe protocolo e código de acesso para "
        "acompanhar.\n"
        "- Anônima: não guardamos seu nome nem seu número com a denúncia. Por isso não será "
        "possível responder por aqui nem acompanhar o andamento.\n"
        "Deseja se identificar? Responda Sim ou Não."
    ),
    "identify_yes": "Sim, identificar",
    "identify_no": "Não, anônima",
    "describe_reclamacao": "Vamos registrar sua reclamação. Conte o que aconteceu, onde e "
    "quando. " + _HOW,
    "describe_denuncia": "Vamos registrar sua denúncia identificada. Conte o que aconteceu, "
    "onde, quando e quem estava envolvido. " + _HOW,
    "describe_comunicacao": "Vamos registrar sua denúncia anônima. Conte o que aconteceu, "
    "onde, quando e quem estava envolvido; não escreva seu nome. " + _HOW,
    "describe_solicitacao": "Vamos registrar sua solicitação. Diga o que você precisa e, se "
    "souber, qual setor pode atender. " + _HOW,
    "describe_sugestao": "Vamos registrar sua sugestão. Conte sua ideia e qual serviço ela "
    "melhora. " + _HOW,
    "describe_elogio": "Que bom! Conte quem ou qual serviço você quer elogiar, e por quê. " + _HOW,
    "describe_simplifique": "Vamos registrar seu pedido de simplificação. Diga qual serviço "
    "é complicado e como poderia ser mais simples. " + _HOW,
    "describe_got": "Recebido. Mande mais, se quiser, ou toque em Pronto para registrar.",
    "describe_empty": "Ainda não recebi a descrição. Conte o que aconteceu e depois toque "
    "em Pronto.",
    "done_button": "Pronto, registrar",
    "cancel_button": "Cancelar",
    "registered": (
        "Pronto! Sua manifestação ({kind}) foi registrada.\n"
        "Protocolo: {protocol}\n"
        "Código de acesso: {code}\n"
        "Guarde o código: ele é mostrado só agora. Para acompanhar, escreva acompanhar "
        "ou acesse {tracking_url}.\n"
        "A ouvidoria responde até {due} (30 dias, prorrogáveis uma vez por mais 30, "
        "Lei 13.460/2017). Se quiser acrescentar algo, é só mandar mensagem por aqui.\n"
        "O registro formal também pode ser feito no Fala.BR: {falabr_url}"
    ),
    "registered_anonymous": (
        "Sua denúncia anônima foi registrada e será analisada pela ouvidoria. Como ela é "
        "anônima, não guardamos seu número nem o ligamos à denúncia: não será possível "
        "acompanhá-la nem responder por aqui. Obrigado por contribuir."
    ),
    "attendant": (
        "Certo: um atendente da ouvidoria continua a conversa por aqui {when}. Pode "
        "escrever o que precisa.\n"
        "Protocolo: {protocol}\n"
        "Código de acesso: {code}\n"
        "Guarde o código: ele é mostrado só agora."
    ),
    "attendant_denuncia": (
        "Um atendente só pode conversar com você por aqui se você se identificar. Escolha "
        "Sim para se identificar, ou Não para seguir com a denúncia anônima."
    ),
    "attendant_anonymous": (
        "Na denúncia anônima não guardamos seu número, por isso um atendente não pode "
        "responder por aqui. Escreva voltar para mudar a escolha, ou continue a descrição."
    ),
    "when_open": "assim que possível, no horário de atendimento ({hours})",
    "when_closed": "quando voltarmos, {reopens}",
    "follow_up": (
        "Recebemos sua mensagem e juntamos ao protocolo {protocol}. A equipe responde por "
        "aqui {when}. Para ver a situação, escreva acompanhar."
    ),
    "cancelled": "Tudo bem, cancelei. Nada foi registrado. Quando quiser, escreva menu.",
    "nothing_to_cancel": "Não há nada em andamento para cancelar. Escreva menu para ver as opções.",
    "track_ask": (
        "Para acompanhar uma manifestação, envie o número do protocolo e o código de "
        "acesso, por exemplo: 2026-000123 ABCD2-EFGH3"
    ),
    "track_own": "Suas manifestações registradas por este número:\n{cases}",
    "track_line": "- {protocol} ({kind}): {state}{due}",
    "track_due": ", resposta até {due}",
    "track_case": "Protocolo {protocol} ({kind}): {state}{due}.",
    "track_wrong": "Protocolo ou código de acesso não conferem. Confira os dados e tente de novo.",
    "track_limited": "Muitas consultas deste número. Tente de novo mais tarde.",
    "unsupported": (
        "Ainda não consigo ler {what}. Escreva sua mensagem em texto, ou envie foto, vídeo, "
        "áudio ou documento."
    ),
    "concluded": (
        "Sua manifestação foi concluída. Se a resposta não resolveu, escreva por aqui ou "
        "registre no Fala.BR: {falabr_url}. Obrigado por falar com a ouvidoria."
    ),
    "survey_attended": (
        "Protocolo {protocol}: queremos saber como foi. Sua demanda foi atendida? "
        "(responda sim, parcialmente ou não; responder é opcional)"
    ),
    "survey_rating": (
        "Obrigado. De 1 (muito insatisfeito) a 5 (muito satisfeito), que nota você dá ao "
        "atendimento da ouvidoria?"
    ),
    "survey_rating_button": "Escolher nota",
    "survey_comment": (
        "Se quiser, pode escrever um comentário sobre o atendimento ou tocar em Pular."
    ),
    "survey_skip_button": "Pular",
    "survey_thanks": (
        "Obrigado por responder! Sua avaliação ajuda a ouvidoria a melhorar. Você pode "
        "mudar a resposta nos próximos dias pelo acompanhamento na internet."
    ),
    "heading": "{ouvidoria} — protocolo {protocol}",
    "part": "(parte {number} de {total})",
}


def check_overrides(overrides: Mapping[str, str]) -> None:
    """Refuse an unknown text or a placeholder the text cannot be given."""
    for key, text in overrides.items():
        if key not in CATALOGUE:
            raise ValueError(f"texts.{key}: não existe esse texto; veja a lista na documentação")
        wanted, given = _fields(CATALOGUE[key]), _fields(text)
        if not given <= wanted:
            extra = ", ".join(sorted(given - wanted))
            raise ValueError(f"texts.{key}: campo desconhecido {{{extra}}}; use {sorted(wanted)}")


def _fields(template: str) -> set[str]:
    return {name for _t, name, _f, _c in string.Formatter().parse(template) if name}


class Catalogue:
    """The texts with the ouvidoria's changes applied."""

    def __init__(self, overrides: Mapping[str, str]) -> None:
        self.texts = {**CATALOGUE, **overrides}

    def say(self, key: str, **values: object) -> str:
        return self.texts[key].format(**values)

    def heading(self, ouvidoria: str, protocol: str) -> str:
        return self.say("heading", ouvidoria=ouvidoria, protocol=protocol)

    def numbered(self, text: str, head: str | None) -> list[str]:
        """``text`` as the messages that carry it: one when it fits, else numbered parts."""
        reserve = len(head or "") + len(self.texts["part"]) + 12
        pieces = split_text(text, LIMIT - reserve)
        total = len(pieces)
        if total == 1:
            return [f"{head}:\n{pieces[0]}" if head else pieces[0]]
        opener = f"{head} " if head else ""
        return [
            f"{opener}{self.say('part', number=n, total=total)}:\n{p}"
            for n, p in enumerate(pieces, start=1)
        ]


def fold(text: str) -> str:
    """Lower case, no accents, single spaces, no punctuation at the ends."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", plain).strip(" .!?,;:")


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
