"""Key rotation as docs/operations.md tells it: a new BALCAO_SECRET_KEY with the old one in
BALCAO_PREVIOUS_SECRET_KEYS, ``balcao keys reseal``, then the old key removed. Everything
sealed before (identities, TOTP secrets, WhatsApp numbers, Fala.BR access codes, queued
payloads) still reads, and the lookup hashes still find the citizen."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest
from click.testing import CliRunner
from security_support import PASSWORD, csrf, login, totp
from whatsapp_payloads import CITIZEN, WhatsApp

from balcao import LookupColumn, PluginError, SealedColumn, Sealer, UnreadableSecret, hookimpl
from balcao._keys import KeyRing
from balcao.cli import cli
from balcao.testing import Balcao

OLD = "test-secret-key-that-is-long-enough-000"  # the harness's key
NEW = "a-brand-new-secret-key-of-48-characters-xxxxxxxx"
OUVIDORA = "dora@ufmt.br"
NUP = "23108000123202695"


async def _registered(wa: WhatsApp) -> str:
    await wa.send(
        wa.text("Oi"),
        wa.text("1"),
        wa.text("O bebedouro do bloco B está quebrado."),
        wa.text("pronto"),
    )
    found = re.search(r"Protocolo: (\S+)", wa.texts_sent()[-1])
    assert found, wa.texts_sent()
    return found.group(1)


async def _enable_totp(b: Balcao) -> str:
    await b.user("ouvidor", email=OUVIDORA, password=PASSWORD)
    logged = await login(b, OUVIDORA)
    account = await b.client.get("/staff/conta")
    assert 'name="secret"' in account.text, (logged.status_code, logged.text[:3000])
    secret = re.search(r'name="secret" value="([A-Z2-7]+)"', account.text).group(1)  # type: ignore[union-attr]
    token = await csrf(b, "/staff/conta")
    code = totp(secret, b.clock.now().timestamp())
    done = await b.client.post(
        "/staff/conta/2fa", data={"secret": secret, "code": code, "_csrf_token": token}
    )
    assert "está ativa" in done.text
    await b.client.post("/staff/sair", data={"_csrf_token": token})
    return secret


async def _second_factor_login(b: Balcao, secret: str) -> Any:
    b.clock.advance(minutes=1)
    pending = await login(b, OUVIDORA)
    assert "Código de verificação" in pending.text
    token = await csrf(b, "/staff/entrar/codigo")
    code = totp(secret, b.clock.now().timestamp())
    return await b.client.post(
        "/staff/entrar/codigo", data={"code": code, "_csrf_token": token, "next": "/staff"}
    )


def _reseal_command(b: Balcao) -> Any:
    """``balcao keys reseal`` as an operator runs it, against the same database."""
    environ = {
        "BALCAO_DATABASE_URL": b.settings.database_url,
        "BALCAO_SECRET_KEY": NEW,
        "BALCAO_PREVIOUS_SECRET_KEYS": json.dumps([OLD]),
        "BALCAO_FILES_DIR": str(b.settings.attachments_dir),
        "BALCAO_DISABLE_PLUGINS": json.dumps(["email"]),  # not installed in this test
    }
    return CliRunner().invoke(cli, ["keys", "reseal"], env=environ)


async def test_rotation_reseal_and_removal_of_the_old_key_keep_everything_readable(
    everything: WhatsApp,
) -> None:
    wa, b = everything, everything.b
    protocol = await _registered(wa)
    secret = await _enable_totp(b)
    _, headers = await b.user("ouvidor")
    nup = await b.client.post(
        f"/exports/falabr_export/manifestations/{protocol}/nup",
        json={"nup": NUP, "access_code": "ACESSO-Ç-0001"},
        headers=headers,
    )
    assert nup.status_code == 200, nup.text
    wa.graph.fail(131047, later=True)  # Meta reports the closed window only later
    await wa.reply(protocol, "Resposta de antes da troca de chave.")
    await b.run_worker(2)
    cases_before = len(await wa.manifestations())

    b.desk.keys = KeyRing(NEW, (OLD,))  # restarted with the new key, the old one previous
    result = await asyncio.to_thread(_reseal_command, b)
    assert result.exit_code == 0, result.output
    assert re.search(r"^([1-9]\d*) linhas recifradas com a chave atual$", result.output, re.M)
    for table in ("identities", "staff_logins", "whatsapp_contacts", "whatsapp_sent"):
        assert re.search(rf"^{table}: [1-9]\d* linhas", result.output, re.M), result.output
    assert "falabr_registrations: 1 linhas" in result.output
    b.desk.keys = KeyRing(NEW)  # and restarted again without it
    # API tokens are hashes of secrets never stored: they are issued again (operations.md)
    _, headers = await b.user("ouvidor", email="ouvidor-novo@example.org")

    async def staff() -> dict[str, str]:
        return headers

    wa.staff = staff  # type: ignore[method-assign]

    revealed = await b.client.post(
        f"/api/v1/manifestations/{protocol}/identity", json={"reason": "apuração"}, headers=headers
    )
    assert revealed.status_code == 200, revealed.text
    assert revealed.json()["name"] == "Maria da Silva"
    assert revealed.json()["whatsapp"] == CITIZEN
    assert "Caixa de entrada" in (await _second_factor_login(b, secret)).text
    registration = await b.client.get(
        f"/exports/falabr_export/manifestations/{protocol}", headers=headers
    )
    assert registration.json()["access_code"] == "ACESSO-Ç-0001"
    page = await b.client.get(
        f"/exports/falabr_export/manifestations/{protocol}/page", headers=headers
    )
    assert page.status_code == 200

    await wa.reply(protocol, "Resposta depois da troca de chave.")
    await b.run_worker(2)
    assert wa.graph.sent[-1]["type"] == "text"  # the 24-hour window is still known
    assert wa.graph.sent[-1]["to"] == CITIZEN
    await wa.send(wa.text("Mais uma informação sobre o bebedouro."))
    assert len(await wa.manifestations()) == cases_before  # joined, no new case
    inbound = [m["text"] for m in await wa.messages(protocol)]
    assert "Mais uma informação sobre o bebedouro." in inbound

    await wa.deliver_later_statuses()  # the pre-rotation reply's 131047 arrives now
    await b.run_worker(3)
    late = wa.graph.sent[-1]
    assert late["type"] == "template"
    assert late["to"] == CITIZEN


async def test_a_sealed_value_opens_only_in_its_own_row_and_column(everything: WhatsApp) -> None:
    desk = everything.b.desk
    sealer = desk.sealer("core.totp")
    token = sealer.seal("JBSWY3DPEHPK3PXP", 7)
    assert sealer.open_text(token, 7) == "JBSWY3DPEHPK3PXP"
    with pytest.raises(UnreadableSecret):
        sealer.open(token, 8)  # copied to another user's row
    with pytest.raises(UnreadableSecret):
        desk.sealer("falabr_export.access_code").open(token, 7)  # another purpose's key
    desk.keys = KeyRing(NEW)
    with pytest.raises(UnreadableSecret):
        sealer.open(token, 7)  # the key that sealed it is gone


class _SmsPlugin:
    """A plugin with its own sealed column and lookup hash."""

    @hookimpl
    def balcao_register_sealed_columns(self) -> list[SealedColumn | LookupColumn]:
        return [
            SealedColumn("sms.number", "sms_contacts", "number_sealed", ("number_hash",)),
            LookupColumn("sms.contact", "sms_contacts", "number_hash", source="sms.number"),
        ]


async def test_hook_balcao_register_sealed_columns_gives_plugins_a_sealer(
    make_balcao: Any,
) -> None:
    b = await make_balcao(plugins=[("sms", _SmsPlugin())])
    sealer = b.desk.sealer("sms.number")
    key = b.desk.sealer("sms.contact").digest("+5565999990000")
    assert sealer.open_text(sealer.seal("+5565999990000", key), key) == "+5565999990000"
    assert {"sms_contacts"} <= set(b.desk.seals.tables())
    b.desk.keys = KeyRing(NEW, (OLD,))
    digests = b.desk.sealer("sms.contact").digests("+5565999990000")
    assert digests[1] == key and digests[0] != key  # a hit under the old key is found
    with pytest.raises(LookupError):
        b.desk.sealer("sms.contact").seal("x", 1)  # a lookup purpose has no column


class _Thief:
    """A plugin that tries to take the core's identity purpose as its own."""

    @hookimpl
    def balcao_register_sealed_columns(self) -> list[SealedColumn]:
        return [SealedColumn("core.identity", "thief", "loot")]


async def test_a_purpose_is_registered_once(make_balcao: Any) -> None:
    with pytest.raises(PluginError, match=r"plugin 'thief'.*core\.identity"):
        await make_balcao(plugins=[("thief", _Thief())])


def test_values_sealed_by_an_earlier_release_still_open() -> None:
    """The keys are derived as they always were: what a database or a cookie holds from
    before still opens, and the lookup hashes still match (values written by release 0.2.0)."""
    ring = KeyRing("chave-de-uma-versao-anterior-0123456789abc")
    assert ring.current_id == "ae44f41c"
    first_format = "ae44f41c:+Fgfr1fgTCaIM2Yf04LwhjLAGOn3V6g7E2wU/CJcH1kl+jDC74eRKC+SIxk="
    assert ring.decrypt(first_format) == b"primeiro formato"
    detached = "s2:ae44f41c:j6zpAadpL6whwFmN6Zbe39wxPYd+p7tNjjwZN5InnMaXSZJRBZ4tBXG7"
    sealer = Sealer(ring, "webform.receipt")
    assert sealer.open_detached(detached) == "por propósito".encode()
    assert ring.digest("12345678909") == (
        "8d6e1a93176fc6af99ea9b4ca4f15a86981824e55e39d362c5c67b886a8bc0e3"
    )
    with pytest.raises(UnreadableSecret):
        Sealer(ring, "webform.other").open_detached(detached)


def test_a_rotation_seals_with_the_new_key_and_a_removed_key_opens_nothing() -> None:
    # the ciphers are kept per key between uses: after the old key is used, a rotation must
    # still seal with the new key, and a ring without the old key must refuse its tokens
    before = Sealer(KeyRing(OLD), "webform.receipt")
    token = before.seal_detached("recibo")
    assert before.open_detached(token) == b"recibo"
    rotated = Sealer(KeyRing(NEW, (OLD,)), "webform.receipt")
    assert rotated.open_detached(token) == b"recibo"
    fresh = rotated.seal_detached("recibo novo")
    assert fresh.split(":")[1] != token.split(":")[1]  # the new key's id
    with pytest.raises(UnreadableSecret):
        before.open_detached(fresh)
    with pytest.raises(UnreadableSecret):
        Sealer(KeyRing(NEW), "webform.receipt").open_detached(token)
