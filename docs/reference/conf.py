"""Sphinx configuration of the reference documentation, generated from the code.

Built by ``.ci/run`` with warnings as errors::

    uv run --group docs sphinx-build -W --keep-going -b html docs/reference docs/reference/_build
"""

from __future__ import annotations

import sys
from pathlib import Path

from sphinx.ext.autodoc import INSTANCEATTR, SLOTSATTR, UNINITIALIZED_ATTR

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "Balcão"
author = "Balcão contributors"
copyright = "Balcão contributors"
release = (Path(__file__).parents[2] / "VERSION").read_text(encoding="utf-8").strip()
language = "pt_BR"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "balcao_openapi",
    "balcao_fields",
]
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path: list[str] = []

# The public API is what ``__all__`` says: a name added there appears here with nothing else
# to edit. Signatures carry the annotations as written (the core uses postponed annotations).
autodoc_default_options = {
    "members": True,
    "undoc-members": False,
    "show-inheritance": True,
    "member-order": "bysource",
}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_class_signature = "separated"
# what the libraries underneath document is theirs, not part of our reference
autodoc_inherit_docstrings = False
napoleon_google_docstring = True
napoleon_numpy_docstring = False
# "Attributes:" sections as field lists: autodoc already lists the fields themselves
napoleon_use_ivar = True
suppress_warnings: list[str] = []

# Attributes that SQLAlchemy's base classes declare on ours (``Base.metadata``,
# ``UTCDateTime.cache_ok``): their documentation is SQLAlchemy's.
_FOREIGN_ATTRIBUTES = {"metadata", "registry", "cache_ok", "impl", "type_annotation_map"}


def _skip_foreign(app, what, name, obj, skip, options):  # type: ignore[no-untyped-def]
    if what != "class":
        return None
    # a field is listed once, with its default, by balcao_fields
    is_field = any(obj is marker for marker in (INSTANCEATTR, SLOTSATTR, UNINITIALIZED_ATTR))
    return True if name in _FOREIGN_ATTRIBUTES or is_field else None


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("autodoc-skip-member", _skip_foreign)
