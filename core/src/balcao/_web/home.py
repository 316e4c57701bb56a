"""The home page, rendered once a minute for each set of accessibility preferences.

Everyone sees the same page, except for what changes with the minute (open now or not, the
next opening) and the visitor's accessibility cookie (contrast, font size). Rendering the
template for every visitor was most of the cost of the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response
from litestar.enums import MediaType

from balcao._desk import Desk
from balcao._web.accessibility import preferences

__all__ = ["HomePages"]

_TEMPLATE = "balcao/home.html"


class HomePages:
    def __init__(self) -> None:
        self._minute: object = None
        self._pages: dict[tuple[bool, int], str] = {}

    def response(
        self,
        desk: Desk,
        request: Request[Any, Any, Any],
        context: Callable[[Desk], dict[str, Any]],
    ) -> Response[str]:
        minute = desk.now().replace(second=0, microsecond=0)
        if minute != self._minute:
            self._minute, self._pages = minute, {}
        prefs = preferences(request)
        key = (bool(prefs["contrast"]), int(prefs["font"]))
        page = self._pages.get(key)
        if page is None:
            page = self._pages[key] = _render(request, context(desk))
        return Response(page, media_type=MediaType.HTML)


def _render(request: Request[Any, Any, Any], context: dict[str, Any]) -> str:
    engine = request.app.template_engine
    assert engine is not None
    # as litestar's Template response would: the request is in the context (the page's
    # navigation and accessibility preferences read it), no CSRF input on this page
    page: str = engine.get_template(_TEMPLATE).render(**context, request=request, csrf_input="")
    return page
