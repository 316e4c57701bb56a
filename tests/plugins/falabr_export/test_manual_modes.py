"""Staff registers by hand (prepared text, NUP validated) or the citizen does (link sent)."""

from __future__ import annotations

from balcao import Kind
from balcao.testing import Balcao, RecordingChannel

from .common import MARIA, NUP, audit, new_case, register, status
from .fake_meouv import FakeMeOuv, nup_with_check_digits

VALID = nup_with_check_digits("231080001232026")
PRETTY = f"{VALID[:5]}.{VALID[5:11]}/{VALID[11:15]}-{VALID[15:]}"


async def record(app: Balcao, protocol: str, nup: str, role: str = "atendente") -> object:
    _, headers = await app.user(role)
    return await app.client.post(NUP.format(protocol), json={"nup": nup}, headers=headers)


async def test_staff_mode_prepares_pseudonymized_denuncia(app: Balcao, meouv: FakeMeOuv) -> None:
    protocol = await new_case(app, Kind.DENUNCIA, text="Desvio de material no almoxarifado.")
    response = await register(app, protocol, "staff")
    assert response.status_code == 200, response.text
    prepared = response.json()
    assert prepared["type_id"] == 1
    assert prepared["form"] == "Denúncia"
    assert prepared["identity"] is None
    assert "Desvio de material" in prepared["text"]
    assert "pseudônimo Manifestante" in prepared["text"]
    assert MARIA.name not in response.text
    assert MARIA.email not in response.text
    assert any("Decreto 10.153" in n for n in prepared["notes"])
    assert meouv.created == []
    assert (await status(app, protocol)).json()["state"] == "prepared"


async def test_staff_mode_gives_the_ouvidor_the_consented_identity(app: Balcao) -> None:
    protocol = await new_case(app, Kind.DENUNCIA, consent=True)
    as_attendant = (await register(app, protocol, "staff", role="atendente")).json()
    assert as_attendant["identity"] is None
    as_ouvidor = (await register(app, protocol, "staff", role="ouvidor")).json()
    assert as_ouvidor["identity"]["name"] == MARIA.name
    assert as_ouvidor["identification"] == "identificada com restrição"
    exports = [e for e in await audit(app, protocol) if e["action"] == "identity_export"]
    assert len(exports) == 1


async def test_nup_is_validated_and_recorded(app: Balcao) -> None:
    protocol = await new_case(app)
    await register(app, protocol, "staff")
    short = await record(app, protocol, "23108.000123/2026")
    assert short.status_code == 422
    assert "17 dígitos" in short.json()["detail"]
    wrong = VALID[:-1] + str((int(VALID[-1]) + 1) % 10)
    bad_digits = await record(app, protocol, wrong)
    assert bad_digits.status_code == 422
    assert "dígitos verificadores" in bad_digits.json()["detail"]
    ok = await record(app, protocol, PRETTY)
    assert ok.status_code == 200, ok.text
    assert ok.json()["nup"] == PRETTY
    assert ok.json()["state"] == "registered"
    assert (await app.desk.get(protocol)).falabr_nup == VALID
    other = nup_with_check_digits("231080009992026")
    assert (await record(app, protocol, other)).status_code == 409


async def test_citizen_mode_sends_link_and_text_through_the_channel(
    app: Balcao, recording_channel: RecordingChannel
) -> None:
    protocol = await new_case(app, text="Falta iluminação no estacionamento do bloco C.")
    response = await register(app, protocol, "citizen")
    assert response.status_code == 202, response.text
    assert response.json()["state"] == "citizen"
    await app.run_worker()
    [sent] = recording_channel.sent
    assert sent.recipient == "+5565999990000"
    assert "falabr.cgu.gov.br" in sent.text
    assert "Falta iluminação no estacionamento do bloco C." in sent.text
    assert (await record(app, protocol, VALID)).status_code == 200
    body = (await status(app, protocol)).json()
    assert body["mode"] == "citizen"
    assert body["nup"] == PRETTY


async def test_citizen_mode_refuses_anonymous(app: Balcao) -> None:
    protocol = await new_case(app, Kind.DENUNCIA, anonymous=True)
    response = await register(app, protocol, "citizen")
    assert response.status_code == 409
    assert "anônima" in response.json()["detail"]


async def test_roles_and_bad_input(app: Balcao) -> None:
    protocol = await new_case(app)
    no_token = await app.client.post(
        f"/exports/falabr_export/manifestations/{protocol}/register", json={"mode": "api"}
    )
    assert no_token.status_code == 401
    _, unit_headers = await app.user("unidade", unit="PRAE")
    forbidden = await app.client.post(
        f"/exports/falabr_export/manifestations/{protocol}/register",
        json={"mode": "api"},
        headers=unit_headers,
    )
    assert forbidden.status_code == 403
    assert (await register(app, protocol, "fax")).status_code == 400
    assert (await register(app, "2026-999999", "api")).status_code == 404
