"""Building the app: several apps in one process keep their own routes and CSRF cookie, and
a router mounted twice is refused when the app is built, not on a request."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar, get
from litestar.exceptions import ImproperlyConfiguredException

from balcao._web.routers import AppRouter
from balcao.testing import Balcao


async def _csrf_cookie(balcao: Balcao) -> str:
    page = await balcao.client.get("/staff/entrar")
    assert page.status_code == 200
    cookies = [c for c in page.headers.get_list("set-cookie") if c.startswith("csrftoken=")]
    assert len(cookies) == 1, cookies
    return cookies[0]


async def test_two_apps_keep_their_own_csrf_cookie(make_balcao: Any) -> None:
    plain = await make_balcao(settings={"public_url": "http://127.0.0.1:8000"})
    secure = await make_balcao(settings={"public_url": "https://ouvidoria.example.org"})
    plain_cookie, secure_cookie = await _csrf_cookie(plain), await _csrf_cookie(secure)
    assert "Secure" not in plain_cookie
    assert "Secure" in secure_cookie
    assert "HttpOnly" in plain_cookie and "HttpOnly" in secure_cookie


async def test_staff_pages_and_api_answer_in_each_app(make_balcao: Any) -> None:
    apps = [await make_balcao(), await make_balcao()]
    auth = [
        (await b.user("ouvidor", email=f"ouvidor{i}@example.org"))[1] for i, b in enumerate(apps)
    ]
    for i in (0, 1, 0):
        assert (await apps[i].client.get("/api/v1/units", headers=auth[i])).status_code == 200
        assert (await apps[i].client.get("/api/v1/units")).status_code == 401
        assert (await apps[i].client.get("/staff/entrar")).status_code == 200


@get("/ping", sync_to_thread=False)
def ping() -> str:
    return "pong"


def test_a_router_mounted_twice_is_refused_when_the_app_is_built() -> None:
    router = AppRouter(path="/a", route_handlers=[ping])
    with pytest.raises(ImproperlyConfiguredException, match="already mounted"):
        Litestar(route_handlers=[router, router])
