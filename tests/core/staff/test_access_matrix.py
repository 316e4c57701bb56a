"""Every staff route (core and bundled plugins), every role and no login: each route declares
the policy action it needs, and who gets in is exactly the table below. A route missing from
the table, or declaring another action, fails the suite, so a new route needs a rule here.

The second half is the policy itself as a matrix: role x unit (own, other) x kind
(denúncia, reclamação) x state x action, checked against the rules the staff guide states."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

import balcao_falabr_export
import balcao_meet
from balcao import Access, Actor, IncomingFile, Kind, Manifestation, State, may, staff_guard
from balcao._routing.stored import save_version
from balcao.testing import Balcao

from .conftest import csrf

ALL = frozenset({"ouvidor", "atendente", "unidade", "auditor"})
OFFICE = frozenset({"ouvidor", "atendente"})
READERS = frozenset({"ouvidor", "atendente", "auditor"})
OUVIDOR = frozenset({"ouvidor"})
# Who may use each action at all, as the staff guide's table says.
SPEC: dict[Access, frozenset[str]] = {
    Access.LIST: ALL,
    Access.VIEW: ALL,
    Access.REPLY: OFFICE,
    Access.NOTE: OFFICE,
    Access.MESSAGE: OFFICE | {"unidade"},
    Access.TRANSITION: OFFICE | {"unidade"},
    Access.COMPLEMENT: OFFICE,
    Access.EXTEND: OFFICE,
    Access.ASSIGN: OFFICE,
    Access.MERGE: OFFICE,
    Access.FORWARD: OFFICE,
    Access.UNIT_ANSWER: frozenset({"unidade"}),
    Access.REVEAL_IDENTITY: OUVIDOR,
    Access.LGPD: OUVIDOR,
    Access.ATTACHMENT: READERS,
    Access.UNITS_LIST: ALL,
    Access.UNITS_PAGE: OFFICE,
    Access.UNITS_EDIT: OUVIDOR,
    Access.AUDIT: frozenset({"ouvidor", "auditor"}),
    Access.REPORTS: READERS,
    Access.ANNUAL_REPORT: READERS,
    Access.ANNUAL_REPORT_EDIT: OUVIDOR,
    Access.RULES: READERS,
    Access.RULES_EDIT: OUVIDOR,
    Access.USERS: OUVIDOR,
    Access.ACCOUNT: ALL,
    Access.PLUGINS: ALL,
    Access.EXPORT_READ: READERS,
    Access.EXPORT_WRITE: OFFICE,
}
PUBLIC = "public"
M = "/staff/manifestacoes/{protocol:str}"
A = "/api/v1/manifestations/{protocol:str}"
F = "/exports/falabr_export/manifestations/{protocol:str}"
U = "/staff/usuarios/{user_id:int}"

EXPECTED: dict[tuple[str, str], Access | str] = {
    ("POST", "/api/v1/tracking"): PUBLIC,
    ("POST", "/api/v1/tracking/survey"): PUBLIC,
    ("GET", "/api/v1/plugins"): Access.PLUGINS,
    ("GET", "/api/v1/manifestations"): Access.LIST,
    ("GET", A): Access.VIEW,
    ("POST", f"{A}/messages"): Access.MESSAGE,
    ("POST", f"{A}/transitions"): Access.TRANSITION,
    ("POST", f"{A}/forward"): Access.FORWARD,
    ("POST", f"{A}/identity"): Access.REVEAL_IDENTITY,
    ("GET", "/api/v1/units"): Access.UNITS_LIST,
    ("POST", "/api/v1/units"): Access.UNITS_EDIT,
    ("GET", "/api/v1/audit"): Access.AUDIT,
    ("GET", "/api/v1/routing/rules"): Access.RULES,
    ("GET", "/staff/regras"): Access.RULES,
    ("GET", "/staff/regras/editar"): Access.RULES_EDIT,
    ("POST", "/staff/regras/editar"): Access.RULES_EDIT,
    ("GET", "/staff/regras/versoes/{version:int}"): Access.RULES,
    ("GET", "/staff/usuarios"): Access.USERS,
    ("POST", "/staff/usuarios"): Access.USERS,
    ("GET", f"{U}"): Access.USERS,
    ("POST", f"{U}"): Access.USERS,
    ("POST", f"{U}/ativo"): Access.USERS,
    ("POST", f"{U}/2fa"): Access.USERS,
    ("POST", f"{U}/senha"): Access.USERS,
    ("GET", "/staff/seguranca"): Access.USERS,
    ("POST", "/staff/seguranca"): Access.USERS,
    ("GET", "/staff/conta/senha"): Access.ACCOUNT,
    ("POST", "/staff/conta/senha"): Access.ACCOUNT,
    ("GET", "/staff/entrar"): PUBLIC,
    ("POST", "/staff/entrar"): PUBLIC,
    ("GET", "/staff/entrar/codigo"): PUBLIC,
    ("POST", "/staff/entrar/codigo"): PUBLIC,
    ("POST", "/staff/sair"): PUBLIC,
    ("GET", "/staff"): Access.LIST,
    ("POST", "/staff/lote/atribuir"): Access.ASSIGN,
    ("POST", "/staff/lote/situacao"): Access.TRANSITION,
    ("GET", "/staff/novidades"): Access.LIST,
    ("GET", M): Access.VIEW,
    ("POST", f"{M}/responder"): Access.REPLY,
    ("POST", f"{M}/nota"): Access.NOTE,
    ("POST", f"{M}/transicao"): Access.TRANSITION,
    ("POST", f"{M}/complementacao"): Access.COMPLEMENT,
    ("POST", f"{M}/prazo"): Access.EXTEND,
    ("POST", f"{M}/atribuir"): Access.ASSIGN,
    ("POST", f"{M}/mesclar"): Access.MERGE,
    ("POST", f"{M}/resposta-unidade"): Access.UNIT_ANSWER,
    ("POST", f"{M}/identidade"): Access.REVEAL_IDENTITY,
    ("GET", f"{M}/anexos/{{file_id:int}}"): Access.ATTACHMENT,
    ("GET", f"{M}/encaminhar"): Access.FORWARD,
    ("POST", f"{M}/encaminhar"): Access.FORWARD,
    ("GET", f"{M}/lgpd"): Access.LGPD,
    ("POST", f"{M}/lgpd/exportar"): Access.LGPD,
    ("POST", f"{M}/lgpd/anonimizar"): Access.LGPD,
    ("GET", "/staff/unidades"): Access.UNITS_PAGE,
    ("POST", "/staff/unidades"): Access.UNITS_EDIT,
    ("POST", "/staff/unidades/importar"): Access.UNITS_EDIT,
    ("GET", "/staff/auditoria"): Access.AUDIT,
    ("GET", "/staff/auditoria.csv"): Access.AUDIT,
    ("GET", "/staff/relatorios"): Access.REPORTS,
    ("GET", "/staff/relatorios.csv"): Access.REPORTS,
    ("GET", "/staff/conta"): Access.ACCOUNT,
    ("POST", "/staff/conta/2fa"): Access.ACCOUNT,
    ("POST", "/staff/conta/ausencia"): Access.ACCOUNT,
    ("POST", "/staff/conta/resumo"): Access.ACCOUNT,
    ("POST", f"{F}/register"): Access.EXPORT_WRITE,
    ("GET", F): Access.EXPORT_READ,
    ("POST", f"{F}/nup"): Access.EXPORT_WRITE,
    ("GET", f"{F}/page"): Access.EXPORT_WRITE,
    ("POST", f"{F}/page"): Access.EXPORT_WRITE,
    ("GET", "/exports/falabr_export/report"): Access.EXPORT_READ,
    ("GET", "/exports/meet/api/agenda"): Access.EXPORT_READ,
    ("GET", "/exports/meet/agenda"): Access.EXPORT_READ,
    ("POST", "/exports/meet/api/bookings/{protocol:str}/outcome"): Access.EXPORT_WRITE,
    ("POST", "/exports/meet/agenda/{protocol:str}"): Access.EXPORT_WRITE,
    ("GET", "/staff/relatorio-anual"): Access.ANNUAL_REPORT,
    ("POST", "/staff/relatorio-anual"): Access.ANNUAL_REPORT_EDIT,
    ("GET", "/staff/relatorio-anual.html"): Access.ANNUAL_REPORT,
    ("GET", "/staff/relatorio-anual.pdf"): Access.ANNUAL_REPORT,
}
_STAFF_PREFIXES = ("/staff", "/api/v1", "/exports")


@pytest.fixture
async def full(make_balcao: Any) -> Balcao:
    """The app with the bundled plugins that add staff routes."""
    settings = {
        "plugins": {
            "falabr_export": {
                "ouvidoria_id": 4321,
                "orgao_name": "Fundação Universidade Federal de Mato Grosso",
                "orgao_city": "Cuiabá",
                "orgao_state": "MT",
            },
            "meet": {"fallback_link": "https://meet.example.org/sala", "lead_time_minutes": 60},
        }
    }
    plugins = [("falabr_export", balcao_falabr_export), ("meet", balcao_meet)]
    return await make_balcao(plugins=plugins, settings=settings)


def _handlers(balcao: Balcao) -> list[tuple[str, str, Any]]:
    found = []
    for route in balcao.app.routes:
        for method, (handler, *_) in getattr(route, "route_handler_map", {}).items():
            if method not in ("HEAD", "OPTIONS"):
                found.append((method, route.path, handler))
    return found


async def test_every_staff_route_declares_its_policy_action(full: Balcao) -> None:
    declared: dict[tuple[str, str], Access | str] = {}
    for method, path, handler in _handlers(full):
        guarded = staff_guard in handler.resolve_guards()
        if not (guarded or path.startswith(_STAFF_PREFIXES)):
            continue
        action = handler.opt.get("access")
        assert guarded == (action is not None), f"{method} {path}: guard and action go together"
        declared[(method, path)] = Access(action) if action is not None else PUBLIC
    assert declared.keys() - EXPECTED.keys() == set(), "routes without an access rule here"
    assert EXPECTED.keys() - declared.keys() == set(), "rules for routes that no longer exist"
    assert {k: v for k, v in declared.items() if EXPECTED[k] != v} == {}


def _denied(response: Any) -> bool:
    status = response.status_code
    location = response.headers.get("location", "")
    return status in (401, 403) or (status in (302, 303) and location.startswith("/staff/entrar"))


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


async def _call(balcao: Balcao, method: str, url: str, auth: dict[str, str], token: str) -> Any:
    form = url.startswith("/staff") or url.endswith("/page") or "/agenda/" in url
    extra = {"x-csrftoken": token} if form else {}
    if method == "GET":
        return await balcao.client.get(url, headers={**auth, **extra}, follow_redirects=False)
    if not form:
        return await balcao.client.post(url, json={}, headers=auth)
    return await balcao.client.post(url, data={}, headers={**auth, **extra}, follow_redirects=False)


async def _a_rule_version(balcao: Balcao) -> None:
    async with balcao.desk.database.write() as session:
        await save_version(session, balcao.desk.now(), Actor.system(), "")


async def test_access_matrix(full: Balcao) -> None:
    protocol, headers = await _setup(full)
    page = await full.client.get(f"/staff/manifestacoes/{protocol}", headers=headers["ouvidor"])
    file_id = int(re.search(r"/anexos/(\d+)", page.text).group(1))  # type: ignore[union-attr]
    token = await csrf(full)
    await _a_rule_version(full)
    failures = []
    for (method, path), action in sorted(EXPECTED.items()):
        url = path.replace("{protocol:str}", protocol).replace("{file_id:int}", str(file_id))
        url = url.replace("{user_id:int}", "1").replace("{version:int}", "1")
        for role, auth in headers.items():
            response = await _call(full, method, url, auth, token)
            assert response.status_code < 500, (method, url, role, response.text)
            if action == PUBLIC:
                continue
            if _denied(response) == (role in SPEC[Access(action)]):
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


async def test_another_units_case_answers_like_a_missing_one_on_every_route(
    full: Balcao,
) -> None:
    protocol, _ = await _setup(full)
    _, other = await full.user("unidade", unit="DCE")
    token = await csrf(full)
    missing = re.sub(r"\d{6}$", "999999", protocol)
    for (method, path), action in sorted(EXPECTED.items()):
        if "{protocol:str}" not in path or action == PUBLIC:
            continue
        answers = []
        for number in (protocol, missing):
            url = path.replace("{protocol:str}", number).replace("{file_id:int}", "1")
            if url.startswith("/api/") and method == "POST":
                body = {"text": "x", "to": "unit_answered"}
                response = await full.client.post(url, json=body, headers=other)
            else:
                response = await _call(full, method, url, other, token)
            answers.append(response.status_code)
        expected = 404 if "unidade" in SPEC[Access(action)] else 403
        assert answers == [expected, expected], (method, path, answers)


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


# -- the policy as a matrix: role x unit x kind x state x action ----------------------


def _case(kind: Kind, state: State, unit: str | None, anonymous: bool = False) -> Manifestation:
    import datetime as dt

    now = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    return Manifestation(
        id=1,
        protocol="2026-000001",
        kind=kind,
        channel="webform",
        state=state,
        subject="",
        description="",
        anonymous=anonymous,
        created_at=now,
        updated_at=now,
        pseudonym="Manifestante 0001",
        unit_code=unit,
    )


def _expected(role: str, where: str, kind: Kind, anonymous: bool, action: Access) -> bool:
    """The rules of the staff guide, stated once more in plain terms."""
    if role == "unidade" and where != "own":
        return False  # another unit's case (or none) is invisible
    if role not in SPEC[action]:
        return False
    if action is Access.REVEAL_IDENTITY and anonymous:
        return False  # nobody to reveal, nothing to audit
    if action in (Access.FORWARD, Access.MERGE) and kind.whistleblowing:
        return role == "ouvidor"
    return True


CASE_ACTIONS = [
    Access.VIEW,
    Access.REPLY,
    Access.NOTE,
    Access.MESSAGE,
    Access.COMPLEMENT,
    Access.EXTEND,
    Access.ASSIGN,
    Access.MERGE,
    Access.FORWARD,
    Access.UNIT_ANSWER,
    Access.REVEAL_IDENTITY,
    Access.LGPD,
    Access.ATTACHMENT,
]


def test_policy_matrix() -> None:
    kinds = [(Kind.DENUNCIA, False), (Kind.COMUNICACAO, True), (Kind.RECLAMACAO, False)]
    wrong = []
    for role, where, (kind, anonymous), state, action in itertools.product(
        sorted(ALL), ("own", "other", "none"), kinds, list(State), CASE_ACTIONS
    ):
        unit = {"own": "PRAE", "other": "DCE", "none": None}[where]
        actor = Actor(kind="user", name=role, user_id=1, role=role, unit_code="PRAE")  # type: ignore[arg-type]
        found = _case(kind, state, unit, anonymous)
        if may(actor, action, found) != _expected(role, where, kind, anonymous, action):
            wrong.append((role, where, kind.value, state.value, action.value))
    assert wrong == []


def test_a_unit_may_only_mark_its_case_answered() -> None:
    actor = Actor(kind="user", name="u", user_id=1, role="unidade", unit_code="PRAE")
    office = Actor(kind="user", name="a", user_id=2, role="atendente")
    found = _case(Kind.RECLAMACAO, State.FORWARDED, "PRAE")
    for target in State:
        assert may(actor, Access.TRANSITION, found, target) == (target is State.UNIT_ANSWERED)
        assert may(office, Access.TRANSITION, found, target)
