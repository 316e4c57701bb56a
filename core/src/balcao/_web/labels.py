"""The one label table: every internal identifier a person reads, in pt-BR.

States, kinds and deadline purposes carry their own labels (``State.label``, ``Kind.label``,
``Purpose.label``); this module asks them, adds what has no enum (channels, actors, routing
rules, audit actions and their details, delivery states), and formats lists and CPFs. A
channel plugin names itself through its ``ChannelSpec.title``; the table below only covers a
channel that is not installed (old cases, reports)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from balcao._domain.deadlines import Purpose
from balcao._domain.kinds import Kind
from balcao._domain.lifecycle import State

__all__ = [
    "AUDIT_ACTIONS",
    "CHANNELS",
    "DELIVERY",
    "Labels",
    "cpf_text",
    "internal_names",
    "list_text",
]

CHANNELS: dict[str, str] = {
    "webform": "Formulário web",
    "meet": "Google Meet",
    "whatsapp": "WhatsApp",
    "email": "E-mail",
}
AUDIT_ACTIONS: dict[str, str] = {
    "transition": "Mudança de situação",
    "note": "Nota interna",
    "reply": "Resposta ao manifestante",
    "assign": "Atribuição de responsável",
    "extend_deadline": "Prorrogação de prazo",
    "request_complementation": "Pedido de complementação",
    "merge": "Mesclagem em outra manifestação",
    "merged_from": "Recebeu manifestação mesclada",
    "identity_view": "Consulta à identidade",
    "identity_export": "Identidade enviada ao Fala.BR (consentida)",
    "meet_invite": "Identidade usada no convite por vídeo",
    "email_delivery": "Identidade usada no envio por e-mail",
    "falabr_nup": "NUP do Fala.BR informado",
    "attachment_download": "Download de anexo",
    "extract_prechecked": "Extrato conferido",
    "lgpd_export": "Exportação de dados (LGPD)",
    "lgpd_anonymise": "Anonimização (LGPD)",
    "unit_saved": "Unidade salva",
    "units_saved": "Unidades salvas",
    "annual_report_notes": "Relatório de gestão editado",
    "login_locked": "Acesso bloqueado por tentativas",
    "away": "Ausência registrada",
    "back": "Retorno registrado",
    "user_created": "Usuário criado",
    "user_changed": "Usuário alterado (papel, unidade ou nome)",
    "user_deactivated": "Usuário desativado",
    "user_reactivated": "Usuário reativado",
    "user_password_reset": "Senha redefinida pelo(a) ouvidor(a)",
    "user_second_factor": "Exigência de verificação em duas etapas alterada",
    "password_changed": "Senha trocada pelo próprio usuário",
    "staff_limits_changed": "Limites de sessão e bloqueio alterados",
    "routing_rules_saved": "Regras de roteamento salvas (nova versão)",
    "routing_rules_restored": "Versão anterior das regras de roteamento restaurada",
    "staff_digest_choice": "Resumo diário por e-mail ligado ou desligado",
}
_DETAIL_KEYS: dict[str, str] = {
    "reason": "motivo",
    "codes": "unidades",
    "code": "unidade",
    "how": "forma",
    "purpose": "prazo",
    "user_id": "responsável",
    "user": "usuário",
    "into": "mesclada em",
    "source": "origem",
    "nup": "NUP",
    "protocols": "protocolos",
    "id": "anexo nº",
    "year": "ano",
    "factor": "etapa",
}
_DETAIL_VALUES: dict[tuple[str, str], str] = {
    ("how", "form"): "formulário",
    ("how", "csv"): "arquivo CSV",
    ("factor", "password"): "senha",
    ("factor", "totp"): "código de verificação",
}
_ACTOR_KINDS = {"system": "Sistema", "plugin": "Extensão"}
_SYSTEM_NAMES = {"roteamento": "roteamento", "prazos": "prazos", "balcao": ""}
_RULES = {"fallback": "regra padrão"}
DELIVERY = {
    "pending": "pendente",
    "sent": "enviada",
    "delivered": "entregue",
    "read": "lida",
    "failed": "falhou",
    "undeliverable": "sem envio",
}


def list_text(values: Iterable[Any]) -> str:
    """``PRAE, RU-CBA, PROAD``: a list as a person writes it."""
    return ", ".join(str(v) for v in values)


def cpf_text(raw: str | None) -> str:
    """A CPF as ``000.000.000-00`` (as given when it does not have 11 digits)."""
    digits = re.sub(r"\D", "", raw or "")
    if len(digits) != 11:
        return raw or ""
    return f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"


def _enum_label(kind: type[State] | type[Kind] | type[Purpose], value: Any) -> str | None:
    try:
        return kind(value).label
    except ValueError:
        return None


class Labels:
    """The label table for one app: the core's names plus its installed channels' titles."""

    def __init__(self, channel_titles: Mapping[str, str] | None = None) -> None:
        self.channels = {**CHANNELS, **(channel_titles or {})}

    @classmethod
    def of(cls, channels: Mapping[str, Any]) -> Labels:
        """The table for a desk's installed channels (``desk.channels``)."""
        return cls({name: c.spec.title for name, c in channels.items()})

    def channel(self, name: str | None) -> str:
        return self.channels.get(name or "", name or "")

    def state(self, value: Any) -> str:
        return _enum_label(State, value) or str(value or "")

    def kind(self, value: Any) -> str:
        return _enum_label(Kind, value) or str(value or "")

    def rule(self, name: str | None) -> str:
        return _RULES.get(name or "", name or "")

    def action(self, name: str) -> str:
        return AUDIT_ACTIONS.get(name, name)

    def delivery(self, state: str | None) -> str:
        return DELIVERY.get(state or "pending", state or "")

    def actor(self, label: str | None) -> str:
        """``citizen:webform`` → ``Manifestante (Formulário web)``; a staff member by the
        e-mail they log in with."""
        kind, _, name = (label or "").partition(":")
        if kind == "user":
            return name
        if kind == "citizen":
            channel = self.channels.get(name)
            return f"Manifestante ({channel})" if channel else "Manifestante"
        if kind == "plugin":
            return f"Extensão ({self.channel(name)})"
        if kind == "system":
            shown = _SYSTEM_NAMES.get(name, name)
            return f"Sistema ({shown})" if shown else "Sistema"
        return label or ""

    def detail(self, action: str, detail: Mapping[str, Any]) -> list[str]:
        """An audit entry's details, one phrase each."""
        if action == "transition":
            return self._transition(detail)
        return [f"{_DETAIL_KEYS.get(k, k)}: {self._value(k, v)}" for k, v in detail.items()]

    def _transition(self, detail: Mapping[str, Any]) -> list[str]:
        moved = (
            f"de “{self.state(detail.get('source'))}” para “{self.state(detail.get('target'))}”"
            if detail.get("source")
            else f"para “{self.state(detail.get('target'))}”"
        )
        reason = str(detail.get("reason") or "")
        return [moved, *([f"motivo: {reason}"] if reason else [])]

    def _value(self, key: str, value: Any) -> str:
        if isinstance(value, list | tuple):
            return list_text(value)
        if key == "purpose":
            return _enum_label(Purpose, value) or str(value)
        if value is None:
            return "—"
        return _DETAIL_VALUES.get((key, str(value)), str(value))


def internal_names(labels: Labels) -> list[str]:
    """Identifiers that must never reach a page as they are: state, kind and channel
    values, audit actions and actor prefixes (a kind that is also a pt-BR word, such as
    ``elogio``, is left out)."""
    own = [*((s.value, s.label) for s in State), *((k.value, k.label) for k in Kind)]
    own += [(c, labels.channel(c)) for c in labels.channels]
    names = [value for value, label in own if value.casefold() != label.casefold()]
    return sorted({*names, *AUDIT_ACTIONS, "citizen:", "system:", "plugin:", "user:"})
