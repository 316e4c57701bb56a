"""The inbox's saved filters: fixed definitions, shown as tabs above the list. Each is only a
set of the inbox's own query parameters, so it lists exactly what the filter form would."""

from __future__ import annotations

import urllib.parse
from typing import NamedTuple

__all__ = ["SAVED_FILTERS", "SavedFilter", "tabs"]


class SavedFilter(NamedTuple):
    label: str
    params: dict[str, str]
    office_only: bool = False  # about the ouvidoria's own assignees: not for a unit member


SAVED_FILTERS: tuple[SavedFilter, ...] = (
    SavedFilter("Minhas", {"responsavel": "eu"}, office_only=True),
    SavedFilter("Vencendo em 5 dias", {"vence_em": "5", "ordem": "prazo"}),
    SavedFilter("Aguardando unidade", {"estado": "forwarded", "ordem": "prazo"}),
    SavedFilter("Atrasadas", {"atrasadas": "1", "ordem": "prazo"}),
)


def tabs(current: dict[str, str], role: str | None) -> list[dict[str, object]]:
    """Every filter the role may use: its label, its address, whether it is the one shown."""
    chosen = {k: v for k, v in current.items() if k != "pagina"}
    shown = [("Todas", {}), *((f.label, f.params) for f in SAVED_FILTERS if _for(f, role))]
    return [
        {
            "label": label,
            "url": "/staff" + (f"?{urllib.parse.urlencode(params)}" if params else ""),
            "current": chosen == params,
        }
        for label, params in shown
    ]


def _for(saved: SavedFilter, role: str | None) -> bool:
    return not saved.office_only or role in ("ouvidor", "atendente")
