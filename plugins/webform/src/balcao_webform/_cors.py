"""Cross-origin access to the JSON intake for the portals the operator names, so a portal's
own page may post from the citizen's browser (and the rate limit sees the citizen)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, route
from litestar.enums import HttpMethod
from litestar.types import ControllerRouterHandler

from balcao_webform._config import WebformConfig

__all__ = ["cors_headers", "preflight_route"]

_ALLOWED_HEADERS = "content-type, idempotency-key"


def cors_headers(request: Request[Any, Any, Any], config: WebformConfig) -> dict[str, str]:
    """The CORS headers for ``request``'s origin: none unless the origin is configured."""
    origin = request.headers.get("origin", "")
    if origin not in config.cors_origins:
        return {}
    return {"access-control-allow-origin": origin, "vary": "origin"}


def preflight_route(path: str, config: WebformConfig) -> ControllerRouterHandler:
    """The OPTIONS answer a browser asks before a cross-origin JSON POST."""

    @route(
        path,
        http_method=[HttpMethod.OPTIONS],
        name="webform:api-preflight",
        include_in_schema=False,
        opt={"exclude_from_csrf": True},
    )
    async def preflight(request: Request[Any, Any, Any]) -> Response[None]:
        headers = cors_headers(request, config)
        if headers:
            headers |= {
                "access-control-allow-methods": "POST, OPTIONS",
                "access-control-allow-headers": _ALLOWED_HEADERS,
                "access-control-max-age": "600",
            }
        return Response(None, status_code=204, headers={"allow": "POST, OPTIONS", **headers})

    return preflight
