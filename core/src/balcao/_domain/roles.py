"""The staff roles (what each may do is the access policy's business, in ``_access.py``)."""

from __future__ import annotations

__all__ = ["ROLES"]

ROLES = ("ouvidor", "atendente", "unidade", "auditor")
