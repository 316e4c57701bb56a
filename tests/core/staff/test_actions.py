"""The manifestation page's actions, plugin actions, the second factor and allowed hosts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct

from balcao import ActionSpec, State, hookimpl
from balcao.testing import Balcao, RecordingChannel

from .conftest import create_user, csrf, login


async def _writer(balcao: Balcao) -> dict[str, str]:
    return {**(await balcao.user("atendente"))[1], "x-csrftoken": await csrf(balcao)}


async def test_reply_goes_through_the_outbox_and_the_timeline_shows_delivery(
    balcao: Balcao, recording_channel: RecordingChannel
) -> None:
    receipt = await balcao.manifestation("Quero saber do meu diploma.")
    headers = await _writer(balcao)
    url = f"/staff/manifestacoes/{receipt.protocol}"
    page = await balcao.client.post(
        f"{url}/responder", data={"text": "Está pronto."}, headers=headers
    )
    assert 'entrega: <span class="entrega">pendente</span>' in page.text
    await balcao.run_worker(2)
    assert [m.text for m in recording_channel.sent] == ["Está pronto."]
    page = await balcao.client.get(url, headers=headers)
    assert 'entrega: <span class="entrega">enviada</span>' in page.text


async def test_complementation_extension_assignment_and_merge(balcao: Balcao) -> None:
    first = await balcao.manifestation("Bolsa atrasada")
    duplicate = await balcao.manifestation("Bolsa atrasada de novo")
    headers = await _writer(balcao)
    url = f"/staff/manifestacoes/{first.protocol}"
    asked = await balcao.client.post(
        f"{url}/complementacao", data={"text": "Qual é o número do edital?"}, headers=headers
    )
    assert "o prazo fica suspenso" in asked.text
    assert (await balcao.desk.get(first.protocol)).state is State.AWAITING_CITIZEN
    assert "suspenso" in asked.text.split("<h2>Prazos</h2>")[1].split("</ul>")[0]
    await balcao.desk.add_message(first.protocol, "Edital 12/2026", channel="fake")
    extended = await balcao.client.post(
        f"{url}/prazo", data={"purpose": "response", "reason": "depende da PROEG"}, headers=headers
    )
    assert "Prazo prorrogado" in extended.text
    again = await balcao.client.post(
        f"{url}/prazo", data={"purpose": "response", "reason": "de novo"}, headers=headers
    )
    assert again.status_code == 422
    assert "não pode ser prorrogado" in again.text
    actor, _ = await balcao.user("atendente")
    assigned = await balcao.client.post(
        f"{url}/atribuir", data={"assignee": str(actor.user_id)}, headers=headers
    )
    assert (await balcao.desk.get(first.protocol)).assignee_id == actor.user_id
    assert "Responsável alterado" in assigned.text
    merged = await balcao.client.post(
        f"/staff/manifestacoes/{duplicate.protocol}/mesclar",
        data={"into": first.protocol},
        headers=headers,
    )
    assert "mesclada" in merged.text
    assert (await balcao.desk.get(duplicate.protocol)).state is State.ARCHIVED
    target = await balcao.client.get(url, headers=headers)
    assert "Bolsa atrasada de novo" in target.text
    assert f"(de {duplicate.protocol})" in target.text


class _ActionPlugin:
    @hookimpl
    def balcao_register_actions(self) -> list[ActionSpec]:
        return [
            ActionSpec(
                name="demo.registrar",
                title="Registrar no sistema externo",
                path="/exports/demo/manifestations/{protocol}/register",
                roles=frozenset({"ouvidor"}),
                method="POST",
            )
        ]


async def test_plugin_actions_are_rendered_for_their_roles(make_balcao: object) -> None:
    channel = RecordingChannel()
    balcao = await make_balcao(  # type: ignore[operator]
        plugins=[(channel.name, channel), ("demo", _ActionPlugin())]
    )
    receipt = await balcao.manifestation("Texto")
    url = f"/staff/manifestacoes/{receipt.protocol}"
    ouvidor = await balcao.client.get(url, headers=(await balcao.user("ouvidor"))[1])
    form = f'action="/exports/demo/manifestations/{receipt.protocol}/register"'
    assert form in ouvidor.text
    assert "Registrar no sistema externo" in ouvidor.text
    attendant = await balcao.client.get(url, headers=(await balcao.user("atendente"))[1])
    assert "Registrar no sistema externo" not in attendant.text


def _totp(secret: str, at: float) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**6:06d}"


async def test_second_factor(balcao: Balcao) -> None:
    await create_user(balcao, "dora@ufmt.br", "ouvidor")
    await login(balcao, "dora@ufmt.br")
    account = await balcao.client.get("/staff/conta")
    secret = re.search(r'name="secret" value="([A-Z2-7]+)"', account.text).group(1)  # type: ignore[union-attr]
    now = balcao.clock.now().timestamp()
    token = await csrf(balcao, "/staff/conta")
    wrong = await balcao.client.post(
        "/staff/conta/2fa", data={"secret": secret, "code": "000000", "_csrf_token": token}
    )
    assert wrong.status_code == 422
    enabled = await balcao.client.post(
        "/staff/conta/2fa",
        data={"secret": secret, "code": _totp(secret, now), "_csrf_token": token},
    )
    assert "está ativa" in enabled.text
    await balcao.client.post("/staff/sair", data={"_csrf_token": token})
    pending = await login(balcao, "dora@ufmt.br")
    assert "Código de verificação" in pending.text
    assert (await balcao.client.get("/staff", follow_redirects=False)).status_code == 303
    token = await csrf(balcao, "/staff/entrar/codigo")
    reused = await balcao.client.post(
        "/staff/entrar/codigo",
        data={"code": _totp(secret, now), "_csrf_token": token, "next": "/staff"},
    )
    assert reused.status_code == 401  # a code works once
    balcao.clock.advance(minutes=1)
    done = await balcao.client.post(
        "/staff/entrar/codigo",
        data={"code": _totp(secret, now + 60), "_csrf_token": token, "next": "/staff"},
    )
    assert "Caixa de entrada" in done.text


async def test_allowed_hosts_are_enforced(make_balcao: object) -> None:
    balcao = await make_balcao(settings={"allowed_hosts": ["ouvidoria.ufmt.br"]})  # type: ignore[operator]
    refused = await balcao.client.get("/staff/entrar")
    assert refused.status_code == 400
    allowed = await balcao.client.get("https://ouvidoria.ufmt.br/staff/entrar")
    assert allowed.status_code == 200
