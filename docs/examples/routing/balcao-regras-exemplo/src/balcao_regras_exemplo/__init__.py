"""An example routing rule written in Python: urgent hospital cases.

Declarative rules require *all* their conditions; this rule needs an *or*: the text
mentions the hospital and either an urgency word or a cancelled surgery. It forwards to
the hospital with urgent priority and says which words decided.

Install it (``pip install ./balcao-regras-exemplo``) and configure it in ``balcao.toml``::

    [plugins.regras_exemplo]
    unidade = "HUJM"
    prioridade_da_regra = 5
"""

from __future__ import annotations

import re
import unicodedata

import msgspec

from balcao import Kind, Manifestation, RoutingDecision, RoutingRuleSpec, hookimpl

__all__ = ["Config", "balcao_config_type", "balcao_register_routing_rules"]

_WORD = re.compile(r"\w+")


class Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``[plugins.regras_exemplo]``."""

    unidade: str = "HUJM"
    prioridade_da_regra: int = 5
    hospital: list[str] = msgspec.field(
        default_factory=lambda: ["hospital universitário", "HUJM", "Júlio Müller", "pronto-socorro"]
    )
    urgencia: list[str] = msgspec.field(
        default_factory=lambda: ["urgente", "urgência", "emergência", "risco de morte", "grave"]
    )
    cirurgia: list[str] = msgspec.field(
        default_factory=lambda: ["cirurgia cancelada", "cirurgia adiada", "cirurgia desmarcada"]
    )


def _words(text: str) -> str:
    """Lower case, no accents, one space between words, padded: " a b c "."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " " + " ".join(_WORD.findall(plain)) + " "


def _found(text: str, phrases: list[str]) -> list[str]:
    return [p for p in phrases if _words(p) in text]


class UrgentHospitalCase:
    """The rule itself; built once with the plugin's configuration."""

    def __init__(self, config: Config) -> None:
        self.config = config

    async def evaluate(self, draft: Manifestation) -> RoutingDecision | None:
        if draft.kind in (Kind.ELOGIO, Kind.SUGESTAO):
            return None
        text = _words(f"{draft.subject} {draft.description}")
        hospital = _found(text, self.config.hospital)
        urgent = _found(text, self.config.urgencia) + _found(text, self.config.cirurgia)
        if not (hospital and urgent):
            return None
        return RoutingDecision(
            reason=f"hospital ({', '.join(hospital)}) com urgência ({', '.join(urgent)})",
            forward_to=self.config.unidade,
            priority="urgent",
            tags=("saude", "urgente"),
        )


@hookimpl
def balcao_config_type() -> type[Config]:
    return Config


@hookimpl
def balcao_register_routing_rules(config: Config) -> list[RoutingRuleSpec]:
    rule = UrgentHospitalCase(config)
    return [
        RoutingRuleSpec(
            name="urgencia-hospitalar",
            priority=config.prioridade_da_regra,
            evaluate=rule.evaluate,
        )
    ]
