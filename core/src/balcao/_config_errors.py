"""A configuration value msgspec refused, said so that a person can fix it: which setting
(the environment variable that set it, or the key in ``balcao.toml``), what was expected and
what was given, in pt-BR."""

from __future__ import annotations

import enum
import re
import typing
from collections.abc import Mapping
from typing import Any

import msgspec

__all__ = ["explain"]

_TYPES = {
    "int": "um número inteiro",
    "float": "um número",
    "bool": "sim ou não (true ou false)",
    "str": "um texto",
    "array": "uma lista",
    "object": "uma tabela",
    "null": "nada",
    "date": "uma data (AAAA-MM-DD)",
    "time": "um horário (HH:MM)",
    "datetime": "uma data e hora (ISO 8601)",
}
_BOUNDS = {">=": "maior ou igual a", "<=": "menor ou igual a", ">": "maior que", "<": "menor que"}
_EXPECTED = re.compile(r"Expected `([^`]+)`(?: (?:of length )?([<>]=?) (\S+))?(?:, got `([^`]+)`)?")


def _value_at(data: Any, path: str) -> Any:
    """The value at a msgspec path such as ``closures[0].start``; ``...`` when absent."""
    for part in re.findall(r"[^.\[\]]+", path):
        try:
            data = data[int(part)] if isinstance(data, list) else data[part]
        except (KeyError, IndexError, ValueError, TypeError):
            return ...
    return data


def _choices(kind: type[Any], field: str) -> list[str]:
    """The values a Literal or enum field (or a list of them) accepts."""
    if not (isinstance(kind, type) and issubclass(kind, msgspec.Struct)):
        return []
    annotation = next((f.type for f in msgspec.structs.fields(kind) if f.name == field), None)
    if typing.get_origin(annotation) is list:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) is typing.Literal:
        return [str(a) for a in typing.get_args(annotation)]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [str(m.value) for m in annotation]
    return []


def _problem(message: str, value: Any, choices: list[str]) -> str:
    given = "" if value is ... else f", recebido {value!r}"
    if message.startswith("Invalid enum value"):
        allowed = f": use {', '.join(choices)}" if choices else ""
        return f"valor não aceito{given.replace(', recebido', '')}{allowed}".strip()
    found = _EXPECTED.match(message)
    if found is None:  # the type's own words (a check in __post_init__)
        return message + given
    expected, bound, limit, _got = found.groups()
    text = "esperado " + _TYPES.get(expected, f"'{expected}'")
    if bound:
        text += f" {_BOUNDS[bound]} {limit}"
    return text + given


def _missing_or_unknown(message: str) -> tuple[str, str] | None:
    names = re.findall(r"`([^`]+)`", message)
    if message.startswith("Object missing required field") and names:
        return names[0], "obrigatório e não informado"
    if message.startswith("Object contains unknown field") and names:
        return names[0], "campo desconhecido: confira o nome (docs/operations.md)"
    return None


def explain(
    exc: msgspec.ValidationError,
    data: Mapping[str, Any],
    kind: type[Any],
    table: str,
    from_env: Mapping[str, str],
) -> str:
    """``<setting>: <problem>``, the setting being the environment variable that gave the value
    (``BALCAO_EMAIL_SMTP_PORT``) or the key in the file (``[plugins.email] smtp_port``)."""
    message, _, location = str(exc).partition(" - at `")
    path = location.rstrip("`").removeprefix("$").removeprefix(".")
    special = _missing_or_unknown(message)
    if special:
        path = f"{path}.{special[0]}" if path else special[0]
        return f"{_setting(table, path, {})}: {special[1]}"
    if not path:  # the type's own check (__post_init__) failed: find the setting it names
        path = next((f for f in from_env if re.search(rf"\b{f}\b", message)), "")
    top = re.split(r"[.\[]", path, maxsplit=1)[0]
    problem = _problem(message, _value_at(data, path), _choices(kind, top))
    if not path:
        return f"{table}: {problem}"
    return f"{_setting(table, path, from_env)}: {problem}"


def _setting(table: str, path: str, from_env: Mapping[str, str]) -> str:
    top = re.split(r"[.\[]", path, maxsplit=1)[0]
    if top in from_env:
        return from_env[top]
    return f"{table} {path}" if table.startswith("[") else f"{path} (em {table})"
