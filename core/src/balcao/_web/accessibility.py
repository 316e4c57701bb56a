"""e-MAG on the citizen pages: the accessibility page, and contrast and font size kept in a
cookie (set by a plain link, so it works without JavaScript)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ACCESSIBILITY_ROUTES", "VLIBRAS_ORIGIN", "VLibrasPolicy", "preferences", "vlibras_csp"]

COOKIE = "balcao_acessibilidade"
VLIBRAS_ORIGIN = "https://vlibras.gov.br"
_FONT_SIZES = range(0, 4)
_YEAR = 365 * 24 * 3600
# The directives the VLibras widget loads from: its script, styles, images, fonts and data.
_VLIBRAS_DIRECTIVES = ("script-src", "style-src", "img-src", "font-src", "connect-src")


def preferences(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """``{"contrast": bool, "font": 0..3}`` from the cookie; anything odd is ignored."""
    raw = dict(p.split("=", 1) for p in request.cookies.get(COOKIE, "").split("-") if "=" in p)
    font = raw.get("f", "0")
    return {
        "contrast": raw.get("c") == "1",
        "font": int(font) if font.isdigit() and int(font) in _FONT_SIZES else 0,
    }


def _back(path: str | None) -> str:
    # only a path on this site: never an open redirect
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


@get("/acessibilidade/preferencias", include_in_schema=False)
async def set_preferences(
    request: Request[Any, Any, Any],
    contraste: FromQuery[int | None] = None,
    fonte: FromQuery[int | None] = None,
    voltar: FromQuery[str | None] = None,
) -> Redirect:
    chosen = preferences(request)
    if contraste is not None:
        chosen["contrast"] = contraste == 1
    if fonte is not None:
        chosen["font"] = min(max(fonte, 0), max(_FONT_SIZES))
    value = f"c={int(chosen['contrast'])}-f={chosen['font']}"
    cookie = Cookie(key=COOKIE, value=value, max_age=_YEAR, path="/", samesite="lax", httponly=True)
    return Redirect(_back(voltar), status_code=303, cookies=[cookie])


@get("/acessibilidade", include_in_schema=False)
async def accessibility_page() -> Template:
    return Template("balcao/accessibility.html", context={})


def vlibras_csp(policy: str) -> str:
    """``policy`` with the VLibras origin added to exactly the directives it needs (a
    directive the policy leaves to ``default-src`` gets ``'self'`` and the origin)."""
    parts = [p.strip() for p in policy.split(";") if p.strip()]
    named = {p.split(" ", 1)[0] for p in parts}
    widened = [
        f"{p} {VLIBRAS_ORIGIN}" if p.split(" ", 1)[0] in _VLIBRAS_DIRECTIVES else p for p in parts
    ]
    added = [f"{d} 'self' {VLIBRAS_ORIGIN}" for d in _VLIBRAS_DIRECTIVES if d not in named]
    return "; ".join(widened + added)


class VLibrasPolicy:
    """ASGI middleware, installed only when ``vlibras`` is on: widens the citizen pages'
    content security policy for the widget's origin (staff pages and the API keep theirs)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""  # type: ignore[comparison-overlap]
        if not path or path.startswith(("/staff", "/api/", "/schema", "/exports")):
            await self.app(scope, receive, send)
            return

        async def widen(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                policy = headers.get("content-security-policy")
                if policy:
                    headers["content-security-policy"] = vlibras_csp(policy)
            await send(message)

        await self.app(scope, receive, widen)


ACCESSIBILITY_ROUTES = [set_preferences, accessibility_page]
