"""Shared helpers: concluded cases, tracking-page forms."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from balcao import Kind, Receipt, State, SurveyAnswer
from balcao.testing import TEST_PASSWORD, Balcao


async def concluded(app: Balcao, kind: Kind = Kind.RECLAMACAO, **fields: Any) -> Receipt:
    """A manifestation answered and concluded by the ouvidor."""
    ouvidor, _ = await app.user("ouvidor")
    receipt = await app.manifestation(kind=kind, **fields)
    await app.desk.transition(receipt.protocol, State.ANSWERED, ouvidor, "respondida")
    await app.desk.transition(receipt.protocol, State.CLOSED, ouvidor, "concluída")
    return receipt


async def csrf(app: Balcao, path: str = "/acompanhar") -> str:
    page = await app.client.get(path)
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


async def post_page(app: Balcao, path: str, data: dict[str, str]) -> Any:
    return await app.client.post(path, data={**data, "_csrf_token": await csrf(app)})


async def staff_login(app: Balcao, role: str, unit: str | None = None) -> None:
    """Log the test client in as a new staff member of ``role``."""
    email = f"{role}-{unit or 'geral'}@example.org"
    await app.user(role, email=email, unit=unit, password=TEST_PASSWORD)
    token = await csrf(app, "/staff/entrar")
    await app.client.post(
        "/staff/entrar",
        data={"email": email, "password": TEST_PASSWORD, "_csrf_token": token, "next": "/staff"},
    )


async def case_on(
    app: Balcao,
    day: dt.date,
    kind: Kind = Kind.RECLAMACAO,
    *,
    answer_after: int | None = None,
    survey: SurveyAnswer | None = None,
    **fields: Any,
) -> str:
    """A case registered on ``day`` at 09:00 (Cuiabá), answered ``answer_after`` days later
    and, with a ``survey``, concluded and rated; the clock is left where it ended."""
    ouvidor, _ = await app.user("ouvidor")
    app.clock.set(dt.datetime.combine(day, dt.time(9)))
    receipt = await app.manifestation(kind=kind, **fields)
    if answer_after is not None:
        app.clock.advance(days=answer_after)
        await app.desk.transition(receipt.protocol, State.ANSWERED, ouvidor, "respondida")
    if survey is not None:
        await app.desk.transition(receipt.protocol, State.CLOSED, ouvidor, "concluída")
        await app.desk.answer_survey(receipt.protocol, survey, "tracking")
    return receipt.protocol
