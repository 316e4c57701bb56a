"""A "Fields" list under every ``msgspec.Struct`` and dataclass of the reference: each field's
name, type and default, read from the class itself, and the tag of a tagged union member."""

from __future__ import annotations

import dataclasses
from typing import Any

import msgspec
from sphinx.application import Sphinx

_NO_DEFAULT = (msgspec.NODEFAULT, dataclasses.MISSING)


def _type_name(annotation: Any) -> str:
    text = annotation if isinstance(annotation, str) else typing_repr(annotation)
    return text.replace("typing.", "").replace("datetime.", "dt.")


def typing_repr(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or repr(annotation)


def _fields(cls: type) -> list[tuple[str, Any, Any]]:
    if isinstance(cls, type) and issubclass(cls, msgspec.Struct):
        info = msgspec.structs.fields(cls)
        return [
            (
                f.name,
                f.type,
                f.default if f.default_factory is msgspec.NODEFAULT else f.default_factory(),
            )
            for f in info
        ]
    if dataclasses.is_dataclass(cls):
        # the annotations as written: some name types imported only for type checking
        return [
            (f.name, f.type, f.default)
            for f in dataclasses.fields(cls)
            if not f.name.startswith("_")
        ]
    return []


def _lines(cls: type) -> list[str]:
    lines = ["", "**Fields**", ""]
    for name, annotation, default in _fields(cls):
        shown = "" if default in _NO_DEFAULT else f", default ``{default!r}``"
        lines.append(f"- ``{name}``: ``{_type_name(annotation)}``{shown}")
    tag = getattr(getattr(cls, "__struct_config__", None), "tag", None)
    if isinstance(tag, str):
        field = cls.__struct_config__.tag_field
        lines += ["", f'Serialized with ``"{field}": "{tag}"``.']
    return [*lines, ""]


def _append_fields(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    if what == "class" and _fields(obj):
        lines.extend(_lines(obj))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("autodoc-process-docstring", _append_fields)
    return {"parallel_read_safe": True, "version": "1"}
