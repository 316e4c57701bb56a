"""``GET /staff/novidades``: a light poll for new citizens' messages on one's cases. A poll
(not server-sent events) because it passes any proxy without special buffering settings and
any app instance can answer it: the cursor lives in the browser, the messages in the
database."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery

from balcao._access import Access
from balcao._desk import Desk
from balcao._services.staff_notices import new_messages
from balcao._web.auth import current_actor

__all__ = ["NOTICE_ROUTES"]


@get("/staff/novidades", opt={"access": Access.LIST}, include_in_schema=False)
async def notices(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    desde: FromQuery[int | None] = None,
) -> dict[str, Any]:
    async with desk.database.read() as session:
        found = await new_messages(session, current_actor(request), desde)
    return {
        "since": found.since,
        "total": sum(n for _, n in found.cases),
        "cases": [
            {"protocol": p, "count": n, "url": f"/staff/manifestacoes/{p}"} for p, n in found.cases
        ],
    }


NOTICE_ROUTES = [notices]
