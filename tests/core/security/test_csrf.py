"""Every change made with the staff session cookie needs the CSRF token and, when the
browser names it, our own origin: on core and plugin routes alike. Bearer calls need none."""

from __future__ import annotations

from typing import Any

from balcao.testing import Balcao

from .conftest import csrf_token, log_in

NUP = "/exports/falabr_export/manifestations/{}/nup"
VALID_NUP = "23037.001462/2021-65"
EVIL = "https://balcao.example.org.evil.example"

# Unsafe routes anyone may call (citizens, webhooks, login): each has its own protection
# (the CSRF middleware on forms, a signature, an access code) and never trusts the cookie.
PUBLIC = {
    ("POST", "/api/v1/tracking"),
    ("POST", "/api/v1/tracking/survey"),
    ("POST", "/acompanhar"),
    ("POST", "/staff/entrar"),
    ("POST", "/staff/entrar/codigo"),
    ("POST", "/staff/sair"),
    ("POST", "/channels/fake/inbound"),
    ("POST", "/channels/webform"),
    ("POST", "/channels/webform/api/manifestations"),
    ("POST", "/channels/whatsapp/webhook"),
    ("POST", "/channels/meet/agendar"),
    ("POST", "/channels/meet/gerenciar"),
    ("POST", "/channels/meet/cancelar"),
    ("POST", "/channels/meet/remarcar"),
    ("POST", "/channels/meet/agendamento.ics"),
    ("POST", "/channels/meet/api/bookings"),
    ("PATCH", "/channels/meet/api/bookings/{protocol:str}"),
    ("DELETE", "/channels/meet/api/bookings/{protocol:str}"),
}
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


async def _nup(balcao: Balcao, protocol: str) -> str | None:
    _, auth = await balcao.user("ouvidor", email="leitor@example.org")
    answer = await balcao.client.get(
        f"/exports/falabr_export/manifestations/{protocol}", headers=auth
    )
    return answer.json().get("nup") if answer.status_code == 200 else None


async def test_cookie_only_cross_origin_nup_is_refused_and_records_nothing(full: Balcao) -> None:
    protocol = (await full.manifestation()).protocol
    await log_in(full)
    forged = await full.client.post(
        NUP.format(protocol), json={"nup": VALID_NUP}, headers={"origin": EVIL}
    )
    assert forged.status_code == 403
    no_token = await full.client.post(NUP.format(protocol), json={"nup": VALID_NUP})
    assert no_token.status_code == 403
    assert await _nup(full, protocol) is None


async def test_cross_origin_with_a_stolen_token_is_still_refused(full: Balcao) -> None:
    protocol = (await full.manifestation()).protocol
    token = await log_in(full)
    forged = await full.client.post(
        NUP.format(protocol),
        json={"nup": VALID_NUP},
        headers={"origin": EVIL, "x-csrftoken": token},
    )
    assert forged.status_code == 403
    assert await _nup(full, protocol) is None


async def test_cookie_with_the_token_from_our_page_records_the_nup(full: Balcao) -> None:
    protocol = (await full.manifestation()).protocol
    token = await log_in(full)
    answer = await full.client.post(
        NUP.format(protocol),
        json={"nup": VALID_NUP},
        headers={"origin": "http://testserver.local", "x-csrftoken": token},
    )
    assert answer.status_code == 200, answer.text
    assert await _nup(full, protocol) == VALID_NUP


async def test_bearer_calls_need_no_token(full: Balcao) -> None:
    protocol = (await full.manifestation()).protocol
    _, auth = await full.user("atendente")
    answer = await full.client.post(NUP.format(protocol), json={"nup": VALID_NUP}, headers=auth)
    assert answer.status_code == 200, answer.text


def _unsafe_routes(balcao: Balcao) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in balcao.app.routes
        for method in getattr(route, "route_handler_map", {})
        if method in UNSAFE
    }


async def _cookie_only(balcao: Balcao, method: str, url: str) -> Any:
    if method in ("POST", "PUT", "PATCH"):
        return await balcao.client.request(method, url, json={}, follow_redirects=False)
    return await balcao.client.request(method, url, follow_redirects=False)


async def test_every_unsafe_staff_route_refuses_the_cookie_without_token(full: Balcao) -> None:
    protocol = (await full.manifestation()).protocol
    await log_in(full)
    routes = _unsafe_routes(full)
    assert routes >= PUBLIC, f"public routes that no longer exist: {PUBLIC - routes}"
    accepted = []
    for method, path in sorted(routes - PUBLIC):
        url = path.replace("{protocol:str}", protocol).replace("{file_id:int}", "1")
        url = url.replace("{user_id:int}", "1").replace("{version:int}", "1")
        response = await _cookie_only(full, method, url)
        if response.status_code != 403:
            accepted.append((method, path, response.status_code))
    assert accepted == []
    assert len(routes - PUBLIC) > 20  # the staff pages and every plugin's staff routes


async def test_public_routes_do_not_take_the_staff_cookie(full: Balcao) -> None:
    for route in full.app.routes:
        for method, (handler, *_) in getattr(route, "route_handler_map", {}).items():
            if (method, route.path) in PUBLIC:
                assert not handler.opt.get("roles"), f"{method} {route.path} is a staff route"


async def test_a_staff_form_posted_from_another_site_is_refused(full: Balcao) -> None:
    await log_in(full)
    token = await csrf_token(full, "/staff/conta")
    answer = await full.client.post(
        "/staff/conta/ausencia",
        data={"away": "sim", "_csrf_token": token},
        headers={"origin": EVIL},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    same_site = await full.client.post(
        "/staff/conta/ausencia",
        data={"away": "sim", "_csrf_token": token},
        headers={"referer": "http://testserver.local/staff/conta"},
        follow_redirects=False,
    )
    assert same_site.status_code == 303


async def test_a_page_sets_the_csrf_cookie_once_and_a_form_needs_its_token(full: Balcao) -> None:
    first = await full.client.get("/acompanhar")
    cookie = full.client.cookies.get("csrftoken")
    assert cookie and "HttpOnly" in first.headers["set-cookie"]
    assert "set-cookie" not in (await full.client.get("/acompanhar")).headers
    fields = {"protocol": "2026-000001", "access_code": "nada"}
    without = await full.client.post("/acompanhar", data=fields)
    forged = await full.client.post("/acompanhar", data={**fields, "_csrf_token": "0" * 96})
    sent = await full.client.post("/acompanhar", data={**fields, "_csrf_token": cookie})
    assert (without.status_code, forged.status_code) == (403, 403)
    assert sent.status_code != 403
