"""Login, second factor, logout and the account page (TOTP enrolment)."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from balcao._access import Access
from balcao._desk import Desk
from balcao._staff import _sessions, _totp
from balcao._staff._common import page, text_of
from balcao._staff._security import digest_choice
from balcao._web.auth import current_actor
from balcao._web.security import client_ip

__all__ = ["ACCOUNT_ROUTES", "PUBLIC_ROUTES"]

_PUBLIC = {"public": True}
# the account page stays open when the account must first enrol the second factor
_DUTY_FREE = {"access": Access.ACCOUNT, "duty_free": True}
_IP_LIMIT = 30


def _safe_next(target: str) -> str:
    """Only a local staff path: never an open redirect."""
    return target if target.startswith("/staff") and not target.startswith("//") else "/staff"


def _with_cookie(response: Redirect, desk: Desk, token: str | None) -> Redirect:
    response.set_cookie(
        _sessions.COOKIE,
        token or "",
        path="/",
        httponly=True,
        secure=desk.settings.public_url.startswith("https"),
        samesite="strict",
        max_age=_sessions.COOKIE_HOURS * 3600 if token else 0,
    )
    return response


@get("/staff/entrar", opt=_PUBLIC, include_in_schema=False)
async def login_form(proximo: FromQuery[str] = "/staff") -> Template:
    return Template("balcao/staff/login.html", context={"next": _safe_next(proximo)})


@post("/staff/entrar", opt=_PUBLIC, include_in_schema=False)
async def login(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    data: URLEncodedBody[dict[str, Any]],
) -> Template | Redirect:
    email, target = text_of(data, "email"), _safe_next(text_of(data, "next"))
    window = dt.timedelta(minutes=15)
    ip = client_ip(request, desk.settings.trusted_proxies)
    if not await desk.allow(f"staff-login:{ip}", _IP_LIMIT, window):
        return _login_error("Muitas tentativas deste endereço. Aguarde 15 minutos.", email, target)
    result = await _sessions.log_in(desk, email, str(data.get("password", "")))
    if result.token is None:
        return _login_error(result.error or "", email, target)
    following = (
        f"/staff/entrar/codigo?proximo={urllib.parse.quote(target)}"
        if result.second_factor
        else target
    )
    return _with_cookie(Redirect(following, status_code=303), desk, result.token)


def _login_error(message: str, email: str, target: str) -> Template:
    return Template(
        "balcao/staff/login.html",
        context={"error": message, "email": email, "next": target},
        status_code=401,
    )


@get("/staff/entrar/codigo", opt=_PUBLIC, include_in_schema=False)
async def second_factor_form(proximo: FromQuery[str] = "/staff") -> Template:
    return Template("balcao/staff/totp.html", context={"next": _safe_next(proximo)})


@post("/staff/entrar/codigo", opt=_PUBLIC, include_in_schema=False)
async def second_factor(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    data: URLEncodedBody[dict[str, Any]],
) -> Template | Redirect:
    token = request.cookies.get(_sessions.COOKIE, "")
    target = _safe_next(text_of(data, "next"))
    error = await _sessions.verify_second_factor(desk, token, text_of(data, "code"))
    if error is None:
        return Redirect(target, status_code=303)
    return Template(
        "balcao/staff/totp.html", context={"error": error, "next": target}, status_code=401
    )


@post("/staff/sair", opt=_PUBLIC, include_in_schema=False)
async def logout(desk: NamedDependency[Desk], request: Request[Any, Any, Any]) -> Redirect:
    token = request.cookies.get(_sessions.COOKIE)
    if token:
        await _sessions.end_session(desk, token)
    return _with_cookie(Redirect("/staff/entrar", status_code=303), desk, None)


@get("/staff/conta", opt=_DUTY_FREE, include_in_schema=False)
async def account(desk: NamedDependency[Desk], request: Request[Any, Any, Any]) -> Template:
    actor = current_actor(request)
    enabled = await _sessions.totp_enabled(desk, actor.user_id or 0)
    secret = _totp.new_secret()
    uri = _totp.provisioning_uri(secret, actor.name, desk.settings.ouvidoria_name)
    away = await desk.is_away(actor.user_id or 0)
    digest = await digest_choice(desk, actor)
    return page(
        request, "account.html", totp_enabled=enabled, secret=secret, uri=uri, away=away, **digest
    )


@post("/staff/conta/ausencia", opt={"access": Access.ACCOUNT}, include_in_schema=False)
async def set_away(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    data: URLEncodedBody[dict[str, Any]],
) -> Redirect:
    """Away: the round-robin distribution of new manifestations skips this person."""
    actor = current_actor(request)
    await desk.set_away(actor.user_id or 0, text_of(data, "away") == "sim", actor)
    return Redirect("/staff/conta?ok=1", status_code=303)


@post("/staff/conta/2fa", opt=_DUTY_FREE, include_in_schema=False)
async def enable_second_factor(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    data: URLEncodedBody[dict[str, Any]],
) -> Template | Redirect:
    actor = current_actor(request)
    secret = text_of(data, "secret")
    if await _sessions.enable_totp(desk, actor.user_id or 0, secret, text_of(data, "code")):
        return Redirect("/staff/conta?ok=1", status_code=303)
    uri = _totp.provisioning_uri(secret, actor.name, desk.settings.ouvidoria_name)
    return page(
        request,
        "account.html",
        status_code=422,
        totp_enabled=False,
        secret=secret,
        uri=uri,
        error="O código não confere. Digite o código de 6 dígitos que o aplicativo mostra agora.",
    )


PUBLIC_ROUTES = [login_form, login, second_factor_form, second_factor, logout]
ACCOUNT_ROUTES = [account, enable_second_factor, set_away]
