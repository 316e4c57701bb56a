"""Registration through the Me-OUV API: payload mapping, identity rules, idempotency, failures."""

from __future__ import annotations

import asyncio
import base64
import gzip
import json

import pytest

import balcao_falabr_export
from balcao import FALABR_TYPE_IDS, IncomingFile, Kind
from balcao.testing import Balcao

from .common import MARIA, audit, new_case, register, status
from .conftest import MakeBalcao, plugin_settings
from .fake_meouv import FakeMeOuv


@pytest.mark.parametrize("kind", [k for k in Kind if k is not Kind.COMUNICACAO])
async def test_each_kind_is_sent_with_its_falabr_type(
    app: Balcao, meouv: FakeMeOuv, kind: Kind
) -> None:
    protocol = await new_case(app, kind)
    response = await register(app, protocol)
    assert response.status_code == 201, response.text
    sent = meouv.created[-1]
    assert sent["IdTipoManifestacao"] == FALABR_TYPE_IDS[kind]
    expected_form = {Kind.DENUNCIA: 4, Kind.SIMPLIFIQUE: 2}.get(kind, 1)
    assert sent["IdTipoFormulario"] == expected_form
    assert sent["IdOuvidoriaDestino"] == 4321
    assert json.loads(sent["DadosExtraJson"])["ProtocoloBalcao"] == protocol
    assert "restaurante universitário" in sent["TextoManifestacao"]


async def test_anonymous_denuncia_goes_as_comunicacao(app: Balcao, meouv: FakeMeOuv) -> None:
    protocol = await new_case(app, Kind.DENUNCIA, anonymous=True)
    response = await register(app, protocol)
    assert response.status_code == 201, response.text
    sent = meouv.created[-1]
    assert sent["IdTipoManifestacao"] == 7
    assert sent["IdTipoFormulario"] == 4
    assert "Manifestante" not in sent


async def test_registration_stores_nup_and_encrypted_access_code(
    app: Balcao, meouv: FakeMeOuv
) -> None:
    protocol = await new_case(app)
    body = (await register(app, protocol)).json()
    nup = meouv.stored[0]["NumerosProtocolo"][0]
    assert body["state"] == "registered"
    assert body["nup"] == f"{nup[:5]}.{nup[5:11]}/{nup[11:15]}-{nup[15:]}"
    assert body["falabr_id"] == 5001
    assert body["access_code"] is None  # only the ouvidor sees it
    assert (await status(app, protocol, "ouvidor")).json()["access_code"] == "ACESSO0001"
    assert (await app.desk.get(protocol)).falabr_nup == nup


async def test_identity_sent_only_with_consent_and_audited(app: Balcao, meouv: FakeMeOuv) -> None:
    with_consent = await new_case(app, consent=True)
    without = await new_case(app)
    assert (await register(app, with_consent)).status_code == 201
    assert (await register(app, without)).status_code == 201
    first, second = meouv.created
    assert first["Manifestante"] == {
        "Nome": MARIA.name,
        "Email": MARIA.email,
        "IdTipoDocumentoIdentificacao": 1,
        "NumeroDocumentoIdentificacao": "52998224725",
    }
    assert first["IndEnviarEmailCidadao"] is True
    assert "Manifestante" not in second
    assert MARIA.name not in second["TextoManifestacao"]
    assert "pseudônimo Manifestante" in second["TextoManifestacao"]
    exported = [e for e in await audit(app, with_consent) if e["action"] == "identity_export"]
    assert len(exported) == 1
    assert exported[0]["actor"] == "plugin:falabr_export"
    assert not [e for e in await audit(app, without) if e["action"].startswith("identity")]


async def test_denuncia_without_consent_is_pseudonymized(app: Balcao, meouv: FakeMeOuv) -> None:
    protocol = await new_case(app, Kind.DENUNCIA)
    assert (await register(app, protocol)).status_code == 201
    sent = meouv.created[0]
    assert sent["IdTipoManifestacao"] == 1
    assert "Manifestante" not in sent
    assert sent["IdTipoIdentificacaoManifestante"] == 1


async def test_denuncia_with_consent_is_identified_with_restriction(
    app: Balcao, meouv: FakeMeOuv
) -> None:
    protocol = await new_case(app, Kind.DENUNCIA, consent=True)
    assert (await register(app, protocol)).status_code == 201
    assert meouv.created[0]["IdTipoIdentificacaoManifestante"] == 3
    assert meouv.created[0]["Manifestante"]["Nome"] == MARIA.name


async def test_registering_twice_sends_once(app: Balcao, meouv: FakeMeOuv) -> None:
    protocol = await new_case(app)
    assert (await register(app, protocol)).status_code == 201
    again = await register(app, protocol)
    assert again.status_code == 200
    assert again.json()["state"] == "registered"
    assert len(meouv.created) == 1


async def test_expired_token_is_refreshed_once(app: Balcao, meouv: FakeMeOuv) -> None:
    await register(app, await new_case(app))
    meouv.script("create", 401)
    response = await register(app, await new_case(app))
    assert response.status_code == 201, response.text
    assert meouv.tokens_issued == 2
    assert len(meouv.created) == 2


async def test_server_error_is_retried_by_the_worker(app: Balcao, meouv: FakeMeOuv) -> None:
    protocol = await new_case(app)
    meouv.script("create", 500)
    response = await register(app, protocol)
    assert response.status_code == 202
    assert response.json()["state"] == "retry"
    assert "500" in response.json()["last_error"]
    await app.run_worker()
    assert meouv.created == []  # not before the backoff
    app.clock.advance(minutes=2)
    await app.run_worker()
    assert (await status(app, protocol)).json()["state"] == "registered"
    assert len(meouv.created) == 1


async def test_timeout_after_accepting_does_not_register_twice(
    app: Balcao, meouv: FakeMeOuv
) -> None:
    protocol = await new_case(app)
    meouv.script("create", "timeout")
    response = await register(app, protocol)
    assert response.status_code == 202
    assert "não respondeu" in response.json()["last_error"]
    assert len(meouv.created) == 1  # Fala.BR did accept it
    app.clock.advance(minutes=2)
    await app.run_worker()
    body = (await status(app, protocol)).json()
    assert body["state"] == "registered"
    assert len(meouv.created) == 1
    assert (
        body["nup"].replace(".", "").replace("/", "").replace("-", "")
        == (meouv.stored[0]["NumerosProtocolo"][0])
    )


async def test_rejection_shows_falabr_message(app: Balcao, meouv: FakeMeOuv) -> None:
    protocol = await new_case(app)
    meouv.script("create", (400, "O campo IdOuvidoriaDestino é inválido."))
    response = await register(app, protocol)
    assert response.status_code == 422
    assert "O campo IdOuvidoriaDestino é inválido." in response.json()["detail"]
    assert (await status(app, protocol)).json()["state"] == "rejected"
    meouv.script("create")  # fixed: a new attempt goes through
    assert (await register(app, protocol)).status_code == 201


async def test_gives_up_after_the_attempt_limit(make_balcao: MakeBalcao, meouv: FakeMeOuv) -> None:
    app = await make_balcao(
        plugins=[("falabr_export", balcao_falabr_export)],
        settings=plugin_settings(meouv, retry_max_attempts=2),
    )
    protocol = await new_case(app)
    meouv.script("create", 500, 500, 500)
    assert (await register(app, protocol)).status_code == 202
    app.clock.advance(minutes=2)
    await app.run_worker()
    body = (await status(app, protocol)).json()
    assert body["state"] == "failed"
    assert body["attempts"] == 2
    app.clock.advance(hours=12)
    await app.run_worker()
    assert (await status(app, protocol)).json()["attempts"] == 2  # no more tries by itself
    assert (await register(app, protocol)).status_code == 202  # staff may try again
    assert (await status(app, protocol)).json()["attempts"] == 3


async def test_unreadable_answer_is_retried_not_lost(app: Balcao, meouv: FakeMeOuv) -> None:
    protocol = await new_case(app)
    meouv.script("create", "garbage")
    response = await register(app, protocol)
    assert response.status_code == 202
    assert "inesperada" in response.json()["last_error"]
    app.clock.advance(minutes=2)
    await app.run_worker()
    assert (await status(app, protocol)).json()["state"] == "registered"


async def test_double_click_sends_once(app: Balcao, meouv: FakeMeOuv) -> None:
    protocol = await new_case(app)
    await app.user("atendente")  # the staff member exists before the two clicks
    meouv.delay_seconds = 0.4  # slow, but within the client timeout (0.5 s)
    meouv.script("create", "timeout")
    first, second = await asyncio.gather(register(app, protocol), register(app, protocol))
    assert sorted([first.status_code, second.status_code]) == [201, 409]
    busy = first if first.status_code == 409 else second
    assert "em andamento" in busy.json()["detail"]
    assert len(meouv.created) == 1


async def test_attachments_go_gzipped_and_base64(app: Balcao, meouv: FakeMeOuv) -> None:
    pdf = b"%PDF-1.4\n" + b"conteudo do laudo " * 50
    laudo = IncomingFile(filename="laudo.pdf", content=pdf)
    protocol = await new_case(app, text="Segue o laudo.", files=(laudo,))
    assert (await register(app, protocol)).status_code == 201
    [sent] = meouv.created[-1]["Anexos"]
    assert (sent["NomeArquivo"], sent["TamanhoArquivo"]) == ("laudo.pdf", len(pdf))
    assert gzip.decompress(base64.b64decode(sent["ConteudoZipadoEBase64"])) == pdf


async def test_a_pseudonymized_denuncia_goes_without_its_files(
    app: Balcao, meouv: FakeMeOuv
) -> None:
    photo = IncomingFile(filename="foto.png", content=b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    protocol = await new_case(app, Kind.DENUNCIA, text="Veja a foto.", files=(photo,))
    assert (await register(app, protocol)).status_code == 201
    assert meouv.created[-1]["Anexos"] == []
