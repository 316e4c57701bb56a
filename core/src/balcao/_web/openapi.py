"""``/schema/openapi.json`` that tells the truth: the bearer scheme on every staff route,
and every status an operation can answer, from what the core knows of every route (the
guard, a protocol in the path, a body) plus what each handler declares itself
(``responses=error_responses(409, 422)``)."""

from __future__ import annotations

import copy
from typing import Any

import msgspec
from litestar import Request
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin, RedocRenderPlugin
from litestar.routes import HTTPRoute

__all__ = ["ErrorBody", "documented_plugins", "error_responses"]

_TEXT = {
    400: "Parâmetro ou corpo inválido",
    401: "Autenticação necessária: envie 'Authorization: Bearer <token>'",
    403: "O papel do usuário não permite esta ação",
    404: "Não encontrada (ou não visível para quem pergunta)",
    409: "Conflito com o estado atual",
    413: "Corpo grande demais",
    422: "Conteúdo recusado; 'detail' diz o motivo",
    429: "Muitas tentativas deste endereço; tente mais tarde",
    503: "Serviço não configurado",
}
_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "Token de API criado com 'balcao tokens create'.",
}


class ErrorBody(msgspec.Struct, frozen=True):
    """Every error answer of the API: the status and what to do about it."""

    status_code: int
    detail: str


def error_responses(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the error statuses a route answers besides the core's own
    (401/403 for staff routes, 404 when a protocol is in the path, 400/413 with input)."""
    return {
        code: ResponseSpec(data_container=ErrorBody, description=_TEXT.get(code, "Erro"))
        for code in codes
    }


class _DocumentedJson(JsonRenderPlugin):
    def __init__(self) -> None:
        super().__init__(path="/openapi.json")
        self._rendered: bytes | None = None

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if self._rendered is None:
            truthful = _with_facts(copy.deepcopy(openapi_schema), request.app.routes)
            self._rendered = self.render_json(request, truthful)
        return self._rendered


def documented_plugins() -> list[Any]:
    """The JSON document (with the facts) and the reading page at ``/schema``."""
    return [_DocumentedJson(), RedocRenderPlugin(path="/")]


def _with_facts(schema: dict[str, Any], routes: list[Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {})["bearer"] = _SCHEME
    components.setdefault("schemas", {})["ErrorBody"] = _ERROR_SCHEMA
    for route in routes:
        if not isinstance(route, HTTPRoute):
            continue
        operations = schema.get("paths", {}).get(route.path_format, {})
        for method, (handler, *_) in route.route_handler_map.items():
            operation = operations.get(method.lower())
            if operation is not None:
                _facts(operation, route.path_format, handler)
    return schema


def _facts(operation: dict[str, Any], path: str, handler: Any) -> None:
    codes: set[int] = set()
    if handler.opt.get("access") or handler.opt.get("roles"):
        operation["security"] = [{"bearer": []}]
        codes |= {401, 403}
    if "{protocol}" in path:
        codes.add(404)
    if operation.get("parameters") or "requestBody" in operation:
        codes.add(400)
    if "requestBody" in operation:
        codes.add(413)
    responses = operation.setdefault("responses", {})
    for code in sorted(codes):
        responses.setdefault(str(code), _error(code))


def _error(code: int) -> dict[str, Any]:
    return {
        "description": _TEXT[code],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }


_ERROR_SCHEMA = {
    "type": "object",
    "required": ["status_code", "detail"],
    "properties": {"status_code": {"type": "integer"}, "detail": {"type": "string"}},
}
