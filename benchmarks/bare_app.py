"""The baseline for the request-path benchmark: a bare Litestar app, no middleware, no database.

    python benchmarks/bare_app.py --port 8100 --home-bytes 9000 --form-bytes 30000

- ``GET /text``: a small text answer (the baseline for ``/health``);
- ``GET /home`` and ``GET /form``: a Jinja template rendered on every request, producing a page
  of the given size (the size of Balcão's home page and web form, measured by the driver);
- ``POST /post``: reads the whole body and answers 200 (the baseline for the webhook and
  the web-form POST);
- ``GET /form-static`` and ``POST /form-post``: the least a web form's exchange costs in
  Litestar, no checks and no database: a page of the form's size, built once, with a
  ticket field, and a POST whose multipart body is parsed into its fields, answered by a
  303 redirect (the floor the full submission is compared with).

It is served as ``balcao serve`` serves Balcão: uvicorn, one process, uvloop and httptools
(uvicorn picks both when installed, as they are with Balcão), no access log; with
``--workers N``, N processes as uvicorn's own ``--workers`` runs Balcão.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import uvicorn
from jinja2 import DictLoader, Environment
from litestar import Litestar, MediaType, Response, get, post
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.template.config import TemplateConfig

# one paragraph with a few substitutions and a filter, as a real page has
_ROW = (
    '<p class="item">{{ title }}: item {{ n }} de {{ rows|length }}, '
    "{{ label|upper }} &mdash; texto de exemplo que ocupa espa\u00e7o.</p>\n"
)
_PAGE = (
    "<!doctype html><html lang=pt-BR><head><title>{{ title }}</title></head><body>\n"
    "{% for n in rows %}" + _ROW + "{% endfor %}</body></html>\n"
)


def _rows_for(size: int) -> int:
    """How many rows make a page of ``size`` bytes (one rendering to measure a row)."""
    page = Environment().from_string(_PAGE)
    one = len(page.render(title="Balc\u00e3o", label="aberto", rows=[1]).encode())
    two = len(page.render(title="Balc\u00e3o", label="aberto", rows=[1, 2]).encode())
    return max(1, (size - one) // max(1, two - one) + 1)


def _static_form(size: int) -> bytes:
    """A page of ``size`` bytes holding a ticket field, as the web form's page does."""
    head = b'<!doctype html><form method=post><input type=hidden name="ticket" value="0.0.0">'
    tail = b"</form>\n"
    return head + b"x" * max(0, size - len(head) - len(tail)) + tail


def create(home_bytes: int, form_bytes: int) -> Litestar:
    home_rows, form_rows = list(range(_rows_for(home_bytes))), list(range(_rows_for(form_bytes)))

    @get("/text", media_type=MediaType.TEXT)
    async def text() -> str:
        return "ok"

    @get("/home")
    async def home() -> Template:
        context = {"title": "In\u00edcio", "label": "aberto", "rows": home_rows}
        return Template("page.html", context=context)

    @get("/form")
    async def form() -> Template:
        context = {"title": "Formul\u00e1rio", "label": "campo", "rows": form_rows}
        return Template("page.html", context=context)

    @post("/post", status_code=200)
    async def receive(body: bytes) -> Response[bytes]:
        return Response(b'{"ok":true}', media_type=MediaType.JSON)

    static = _static_form(form_bytes)

    @get("/form-static", media_type=MediaType.HTML)
    async def form_static() -> bytes:
        return static

    @post("/form-post", status_code=303)
    async def form_post(
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Redirect:
        return Redirect("/form-static", status_code=303)

    engine = JinjaTemplateEngine.from_environment(
        Environment(loader=DictLoader({"page.html": _PAGE}), autoescape=True)
    )
    return Litestar(
        route_handlers=[text, home, form, receive, form_static, form_post],
        template_config=TemplateConfig(instance=engine),
        openapi_config=None,
    )


def from_environment() -> Litestar:
    """The app for uvicorn's ``--factory`` (several processes): sizes from the environment."""
    return create(int(os.environ["BARE_HOME_BYTES"]), int(os.environ["BARE_FORM_BYTES"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--home-bytes", type=int, default=8000)
    parser.add_argument("--form-bytes", type=int, default=30000)
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    args = parser.parse_args()
    options: dict[str, Any] = {"host": "127.0.0.1", "port": args.port, "access_log": False}
    if args.workers == 1:
        uvicorn.run(create(args.home_bytes, args.form_bytes), log_config=None, **options)
        return
    os.environ.update(BARE_HOME_BYTES=str(args.home_bytes), BARE_FORM_BYTES=str(args.form_bytes))
    sys.path.insert(0, str(Path(__file__).parent))
    uvicorn.run("bare_app:from_environment", factory=True, workers=args.workers, **options)


if __name__ == "__main__":
    main()
