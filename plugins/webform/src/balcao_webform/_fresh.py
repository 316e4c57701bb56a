"""The empty form, rendered once per app.

Everyone who opens the form gets the same page except for two hidden values: the CSRF token
and the signed form ticket. Rendering its template (about thirty fields and their help) was a
large part of the cost of a submission, so the page is rendered once and the two values are
put in for each request."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.template.base import csrf_token

__all__ = ["FreshForm"]

_CSRF_MARK = "\x00csrf\x00"
_TICKET_MARK = "\x00ticket\x00"


class FreshForm:
    """Serves the empty form from one rendering of ``template`` with ``context``."""

    def __init__(self, template: str, context: dict[str, Any], headers: dict[str, str]) -> None:
        self._template, self._context, self._headers = template, context, headers
        # the page cut where the two values go, and which value goes in each cut
        self._pieces: list[str] = []
        self._slots: list[bool] = []  # True: the CSRF token, False: the ticket

    def response(self, request: Request[Any, Any, Any], ticket: str) -> Response[str]:
        token = csrf_token({"request": request})
        if not self._pieces:
            self._cut(self._render(request, token, ticket))
        page = [self._pieces[0]]
        for is_token, piece in zip(self._slots, self._pieces[1:], strict=True):
            page += (token if is_token else ticket, piece)
        return Response("".join(page), media_type=MediaType.HTML, headers=self._headers)

    def _render(self, request: Request[Any, Any, Any], token: str, ticket: str) -> str:
        engine = request.app.template_engine
        assert engine is not None
        context = {**self._context, "ticket": ticket, "request": request}
        page = engine.get_template(self._template).render(**context)
        # both values are random: each occurs exactly where the template put it
        return page.replace(token, _CSRF_MARK).replace(ticket, _TICKET_MARK)

    def _cut(self, page: str) -> None:
        """Joining the pieces is one pass over the page; replacing the marks took two."""
        pieces = re.split(f"({_CSRF_MARK}|{_TICKET_MARK})", page)
        self._slots = [mark == _CSRF_MARK for mark in pieces[1::2]]
        self._pieces = pieces[::2]
