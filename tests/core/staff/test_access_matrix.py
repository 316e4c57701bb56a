"""Every /staff and /api/v1 route, every role and no login: who gets in is exactly the
table below. A route missing from the table fails the suite, so a new route needs a rule."""

from __future__ import annotations

import re

from balcao import IncomingFile, State
from balcao.testing import Balcao

from .conftest import csrf

ALL = frozenset({"ouvidor", "atendente", "unidade", "auditor"})
WRITERS = frozenset({"ouvidor", "atendente"})
READERS = frozenset({"ouvidor", "auditor"})
OUVIDOR = frozenset({"ouvidor"})
PUBLIC = "public"
M = "/staff/manifestacoes/{protocol:str}"
A = "/api/v1/manifestations/{protocol:str}"

EXPECTED: dict[tuple[str, str], frozenset[str] | str] = {
    ("POST", "/api/v1/tracking"): PUBLIC,
    ("POST", "/api/v1/tracking/survey"): PUBLIC,
    ("GET", "/api/v1/plugins"): ALL,
    ("GET", "/api/v1/manifestations"): ALL,
    ("GET", A): ALL,
    ("POST", f"{A}/messages"): WRITERS | {"unidade"},
    ("POST", f"{A}/transitions"): WRITERS | {"unidade"},
    ("POST", f"{A}/forward"): WRITERS,
    ("POST", f"{A}/identity"): OUVIDOR,
    ("GET", "/api/v1/units"): ALL,
    ("POST", "/api/v1/units"): OUVIDOR,
    ("GET", "/api/v1/audit"): READERS,
    ("GET", "/api/v1/routing/rules"): frozenset({"ouvidor", "atendente", "auditor"}),
    ("GET", "/staff/regras"): frozenset({"ouvidor", "atendente", "auditor"}),
    ("GET", "/staff/entrar"): PUBLIC,
    ("POST", "/staff/entrar"): PUBLIC,
    ("GET", "/staff/entrar/codigo"): PUBLIC,
    ("POST", "/staff/entrar/codigo"): PUBLIC,
    ("POST", "/staff/sair"): PUBLIC,
    ("GET", "/staff"): ALL,
    ("GET", M): ALL,
    ("POST", f"{M}/responder"): WRITERS,
    ("POST", f"{M}/nota"): WRITERS,
    ("POST", f"{M}/transicao"): WRITERS,
    ("POST", f"{M}/complementacao"): WRITERS,
    ("POST", f"{M}/prazo"): WRITERS,
    ("POST", f"{M}/atribuir"): WRITERS,
    ("POST", f"{M}/mesclar"): WRITERS,
    ("POST", f"{M}/resposta-unidade"): frozenset({"unidade"}),
    ("POST", f"{M}/identidade"): OUVIDOR,
    ("GET", f"{M}/anexos/{{file_id:int}}"): frozenset({"ouvidor", "atendente", "auditor"}),
    ("GET", f"{M}/encaminhar"): WRITERS,
    ("POST", f"{M}/encaminhar"): WRITERS,
    ("GET", f"{M}/lgpd"): OUVIDOR,
    ("POST", f"{M}/lgpd/exportar"): OUVIDOR,
    ("POST", f"{M}/lgpd/anonimizar"): OUVIDOR,
    ("GET", "/staff/unidades"): WRITERS,
    ("POST", "/staff/unidades"): OUVIDOR,
    ("POST", "/staff/unidades/importar"): OUVIDOR,
    ("GET", "/staff/auditoria"): READERS,
    ("GET", "/staff/auditoria.csv"): READERS,
    ("GET", "/staff/relatorios"): frozenset({"ouvidor", "atendente", "auditor"}),
    ("GET", "/staff/relatorios.csv"): frozenset({"ouvidor", "atendente", "auditor"}),
    ("GET", "/staff/relatorio-anual"): frozenset({"ouvidor", "atendente", "auditor"}),
    ("POST", "/staff/relatorio-anual"): OUVIDOR,
    ("GET", "/staff/relatorio-anual.html"): frozenset({"ouvidor", "atendente", "auditor"}),
    ("GET", "/staff/relatorio-anual.pdf"): frozenset({"ouvidor", "atendente", "auditor"}),
    ("GET", "/staff/conta"): ALL,
    ("POST", "/staff/conta/2fa"): ALL,
    ("POST", "/staff/conta/ausencia"): ALL,
}


def _routes(balcao: Balcao) -> set[tuple[str, str]]:
    found = set()
    for route in balcao.app.routes:
        if not route.path.startswith(("/staff", "/api/v1")):
            continue
        for method in getattr(route, "route_handler_map", {}):
            if method not in ("HEAD", "OPTIONS"):
                found.add((method, route.path))
    return found


def _denied(response: object) -> bool:
    status = response.status_code  # type: ignore[attr-defined]
    location = response.headers.get("location", "")  # type: ignore[attr-defined]
    return status in (401, 403) or (status in (302, 303) and location.startswith("/staff/entrar"))


async def test_every_route_has_a_rule(balcao: Balcao) -> None:
    routes = _routes(balcao)
    assert routes - EXPECTED.keys() == set(), "routes without an access rule in this table"
    assert EXPECTED.keys() - routes == set(), "rules for routes that no longer exist"
    for route in balcao.app.routes:
        for method, (handler, *_) in getattr(route, "route_handler_map", {}).items():
            if (method, route.path) in EXPECTED and EXPECTED[(method, route.path)] != PUBLIC:
                assert handler.opt.get("roles"), f"{method} {route.path} declares no roles"


async def _setup(balcao: Balcao) -> tuple[str, dict[str | None, dict[str, str]]]:
    photo = IncomingFile(filename="foto.txt", content=b"texto simples do anexo")
    receipt = await balcao.manifestation("Falta de professor em cálculo", files=(photo,))
    writer, _ = await balcao.user("ouvidor")
    await balcao.client.post(
        "/api/v1/units",
        json={"code": "PRAE", "name": "Pró-reitoria"},
        headers=(await balcao.user("ouvidor"))[1],
    )
    await balcao.desk.forward(receipt.protocol, "PRAE", "Extrato", writer)
    assert (await balcao.desk.get(receipt.protocol)).state is State.FORWARDED
    headers: dict[str | None, dict[str, str]] = {None: {}}
    for role in sorted(ALL):
        _, auth = await balcao.user(role, unit="PRAE" if role == "unidade" else None)
        headers[role] = auth
    return receipt.protocol, headers


async def test_access_matrix(balcao: Balcao) -> None:
    protocol, headers = await _setup(balcao)
    page = await balcao.client.get(f"/staff/manifestacoes/{protocol}", headers=headers["ouvidor"])
    file_id = int(re.search(r"/anexos/(\d+)", page.text).group(1))  # type: ignore[union-attr]
    token = await csrf(balcao)
    failures = []
    for (method, path), allowed in sorted(EXPECTED.items()):
        url = path.replace("{protocol:str}", protocol).replace("{file_id:int}", str(file_id))
        for role, auth in headers.items():
            extra = {"x-csrftoken": token} if path.startswith("/staff") else {}
            if method == "GET":
                response = await balcao.client.get(
                    url, headers={**auth, **extra}, follow_redirects=False
                )
            elif path.startswith("/api/"):
                response = await balcao.client.post(url, json={}, headers=auth)
            else:
                response = await balcao.client.post(
                    url, data={}, headers={**auth, **extra}, follow_redirects=False
                )
            assert response.status_code < 500, (method, url, role, response.text)
            if allowed == PUBLIC:
                continue
            if _denied(response) == (role in allowed):
                failures.append((method, path, role, response.status_code))
    assert failures == []


async def test_unit_member_of_another_unit_gets_404(balcao: Balcao) -> None:
    protocol, _ = await _setup(balcao)
    _, other = await balcao.user("unidade", unit="DCE")
    token = await csrf(balcao)
    missing = re.sub(r"\d{6}$", "999999", protocol)
    for url in (protocol, missing):
        page = await balcao.client.get(f"/staff/manifestacoes/{url}", headers=other)
        api = await balcao.client.get(f"/api/v1/manifestations/{url}", headers=other)
        answer = await balcao.client.post(
            f"/staff/manifestacoes/{url}/resposta-unidade",
            data={"text": "x"},
            headers={**other, "x-csrftoken": token},
        )
        assert (page.status_code, api.status_code, answer.status_code) == (404, 404, 404)
    inbox = await balcao.client.get("/staff", headers=other)
    assert protocol not in inbox.text


async def test_staff_pages_redirect_to_login_without_session(balcao: Balcao) -> None:
    response = await balcao.client.get("/staff/relatorios?ano=2026", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/entrar?proximo=/staff/relatorios%3Fano%3D2026"


async def test_unit_member_never_gets_the_citizen_text_through_the_api(balcao: Balcao) -> None:
    receipt = await balcao.manifestation(
        "Sou Lia Prado, CPF 123.456.789-09, e denuncio o chefe.", kind="denuncia"
    )
    writer, _ = await balcao.user("ouvidor")
    await balcao.desk.forward(receipt.protocol, "PRAE", "Extrato sem identificação", writer)
    _, unit = await balcao.user("unidade", unit="PRAE")
    detail = await balcao.client.get(f"/api/v1/manifestations/{receipt.protocol}", headers=unit)
    listing = await balcao.client.get("/api/v1/manifestations", headers=unit)
    for response in (detail, listing):
        assert response.status_code == 200
        assert "Lia" not in response.text
        assert "123.456" not in response.text
    assert [e["text"] for e in detail.json()["timeline"]] == ["Extrato sem identificação"]
