"""The daily digest a staff member opts into: one e-mail a day, through the e-mail channel,
to the people who asked for it, listing what is due on their cases."""

from __future__ import annotations

import datetime as dt
import re

import httpx
from mail_servers import SmtpSink
from sqlalchemy import func, select

from balcao._db.models import OutboxRow
from balcao._services.staff_digest import send_digests
from balcao.testing import Balcao

PASSWORD = "uma-senha-longa-de-teste"


def _token(page: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


async def _opt_in(mail: Balcao, email: str) -> None:
    # the public address is https: the cookies are Secure, so the browser speaks https
    transport = httpx.ASGITransport(app=mail.app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(
        transport=transport, base_url="https://balcao.ufmt.example.br", follow_redirects=True
    ) as browser:
        page = await browser.get("/staff/entrar")
        await browser.post(
            "/staff/entrar",
            data={"email": email, "password": PASSWORD, "_csrf_token": _token(page.text)},
        )
        account = await browser.get("/staff/conta")
        assert "Indisponível" not in account.text
        chosen = await browser.post(
            "/staff/conta/resumo", data={"digest": "sim", "_csrf_token": _token(account.text)}
        )
        assert chosen.status_code == 200
        assert 'name="digest" value="sim" checked' in chosen.text


async def test_one_digest_a_day_reaches_who_opted_in(mail: Balcao, smtp: SmtpSink) -> None:
    ana, _ = await mail.user("atendente", email="ana@ufmt.example.br", password=PASSWORD)
    caio, _ = await mail.user("atendente", email="caio@ufmt.example.br", password=PASSWORD)
    ouvidor, _ = await mail.user("ouvidor")
    mine = await mail.manifestation("Ônibus atrasado", channel="webform")
    theirs = await mail.manifestation("Biblioteca fechada", channel="webform")
    await mail.desk.assign(mine.protocol, ana.user_id, ouvidor)
    await mail.desk.assign(theirs.protocol, caio.user_id, ouvidor)
    await _opt_in(mail, "ana@ufmt.example.br")
    mail.clock.set(dt.datetime(2027, 2, 1, 6, 30))  # past the deadline, before 7:00
    await send_digests(mail.desk)
    mail.clock.set(dt.datetime(2027, 2, 1, 8, 0))
    await send_digests(mail.desk)
    await send_digests(mail.desk)  # the next hour's run sends no second digest
    async with mail.desk.database.read() as session:
        queued = await session.scalar(
            select(func.count()).where(OutboxRow.idempotency_key.startswith("staff-digest:"))
        )
    assert queued == 1
    smtp.arrived.clear()
    await mail.run_worker()
    [digest] = smtp.arrived
    assert digest.recipients == ["ana@ufmt.example.br"]
    body = digest.message.get_body(("plain",)).get_content()
    assert mine.protocol in body and "VENCIDO" in body
    assert theirs.protocol not in body
