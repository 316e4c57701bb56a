"""The declarative rule language (``[[routing.rules]]`` in ``balcao.toml``), validated by
msgspec: an unknown key or a bad value is refused, naming the rule and the key."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from balcao._domain.kinds import Kind

__all__ = ["PRIORITIES", "RoutingConfig", "RuleConfig", "Then", "When", "convert_rule"]

PRIORITIES = ("low", "normal", "high", "urgent")
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=80, pattern=r"^[\w.:-]+$")]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Words = list[Annotated[str, msgspec.Meta(min_length=1)]]


class When(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """Conditions; all given ones must hold (an omitted one always holds)."""

    kinds: list[Kind] = []
    kinds_not: list[Kind] = []
    channels: list[str] = []
    channels_not: list[str] = []
    words_all: Words = []
    words_any: Words = []
    words_none: Words = []
    regex: str | list[str] = []
    mentions: dict[Code, Words] = {}
    hours: Literal["open", "closed"] | None = None
    identity: Literal["identified", "anonymous"] | None = None


class Then(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """What the rule decides when it matches; nothing at all means "stay in triage"."""

    forward_to: Code | None = None
    forward_to_mentioned: bool = False
    assign_to: Annotated[str, msgspec.Meta(min_length=3)] | None = None
    round_robin: Code | None = None
    tags: list[Annotated[str, msgspec.Meta(min_length=1, max_length=40)]] = []
    priority: Literal["low", "normal", "high", "urgent"] | None = None
    confidential: bool = False


class RuleConfig(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    name: Name
    priority: int = 100
    description: str = ""
    enabled: bool = True
    when: When = When()
    then: Then = Then()
    continue_: bool = msgspec.field(name="continue", default=False)


class RoutingConfig(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """The ``[routing]`` section; rules are checked one by one so errors name the rule."""

    rules: list[dict[str, Any]] = []
    disabled: list[str] = []


def _explain(exc: msgspec.ValidationError) -> str:
    message, _, location = str(exc).partition(" - at `")
    key = location.rstrip("`").removeprefix("$").removeprefix(".")
    if message.startswith("Object contains unknown field"):
        unknown = message.split("`")[1]
        key = f"{key}.{unknown}" if key else unknown
        return f"chave '{key}' desconhecida"
    if message.startswith("Object missing required field"):
        return f"falta a chave '{message.split('`')[1]}'"
    return f"chave '{key}': {message}" if key else message


def convert_rule(raw: Any) -> RuleConfig:
    """One rule table as a RuleConfig; ValueError with the key and the problem."""
    try:
        return msgspec.convert(raw, RuleConfig, strict=True)
    except msgspec.ValidationError as exc:
        raise ValueError(_explain(exc)) from exc
