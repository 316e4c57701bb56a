"""The staff REST API in the reference, from the application itself.

The ``balcao-openapi`` directive builds the app with every installed plugin, asks it for
``/schema/openapi.json`` and renders one section per operation (summary, description, who may
call it, the answers it documents). The same document is written next to the HTML as
``openapi.json``.
"""

from __future__ import annotations

import json
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

_METHODS = ("get", "post", "put", "patch", "delete")


@cache
def openapi_document() -> dict[str, Any]:
    from litestar.testing import TestClient

    from balcao import create_app, load_settings

    with tempfile.TemporaryDirectory() as workdir:
        settings = load_settings(
            {},
            database_url=f"sqlite+aiosqlite:///{workdir}/reference.db",
            secret_key="reference-documentation-build-key-0000",  # noqa: S106 - a throw-away app
            files_dir=workdir,
        )
        with TestClient(create_app(settings)) as client:
            response = client.get("/schema/openapi.json")
            response.raise_for_status()
            document: dict[str, Any] = response.json()
    return document


def _operation_rst(method: str, path: str, operation: dict[str, Any]) -> list[str]:
    title = f"``{method.upper()} {path}``"
    lines = [title, "~" * len(title), "", f"**{operation['summary']}**", ""]
    lines += [*operation.get("description", "").splitlines(), ""]
    secured = "bearer" in json.dumps(operation.get("security", []))
    lines += [f"*Autenticação*: {'token de API (Bearer)' if secured else 'nenhuma'}", ""]
    lines += ["*Respostas*:", ""]
    for code, response in sorted(operation.get("responses", {}).items()):
        lines.append(f"- ``{code}``: {response.get('description', '')}")
    return [*lines, ""]


class OpenAPIOperations(SphinxDirective):
    """Every operation under the path prefixes given as arguments."""

    optional_arguments = 10

    def run(self) -> list[nodes.Node]:
        prefixes = tuple(self.arguments) or ("/",)
        lines: list[str] = []
        for path, operations in openapi_document()["paths"].items():
            if not path.startswith(prefixes):
                continue
            for method in _METHODS:
                if method in operations:
                    lines += _operation_rst(method, path, operations[method])
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source="openapi.json"), container)
        return list(container.children)


def _write_document(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        target = Path(app.outdir) / "openapi.json"
        target.write_text(json.dumps(openapi_document(), ensure_ascii=False, indent=1))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("balcao-openapi", OpenAPIOperations)
    # before autodoc imports anything: the plugins' tables are declared on a fresh import
    app.connect("builder-inited", lambda _app: openapi_document())
    app.connect("build-finished", _write_document)
    return {"parallel_read_safe": True, "version": "1"}
