"""``/health``: liveness, 200 while the process serves; ``/ready``: 200 when this instance
can take traffic, 503 with the reasons when not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import msgspec
from litestar import MediaType, Request, get
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Response

from balcao._db.status import schema_state
from balcao._desk import Desk
from balcao._services.heartbeat import last_seen
from balcao._web.openapi import error_responses

__all__ = ["liveness", "ready"]


class Health(msgspec.Struct):
    status: str
    database: str
    plugins: list[str]


def liveness(desk: Desk) -> HTTPRouteHandler:
    """``/health``, built per app: its answer (the database in use, the active plugins) is
    known once the plugins are loaded, so it is encoded once. It does not ask the database:
    that is ``/ready``'s job, and a probe that restarts processes when the database is down
    would only add restarts to the outage."""
    answer = Health("ok", desk.database.dialect, desk.host.active_names())
    body = msgspec.json.encode(answer)

    @get(
        "/health",
        summary="Verificar se o processo atende",
        description=(
            "Responde 200 com `status: ok`, o banco em uso e os plugins ativos enquanto o "
            "processo atende (não consulta o banco). Use `/ready` para saber se o banco, as "
            "migrações e o worker estão em dia."
        ),
        tags=["público"],
        responses={200: ResponseSpec(data_container=Health, description="O processo atende")},
    )
    async def health() -> Response[bytes]:
        return Response(body, media_type=MediaType.JSON)

    return health


async def _reasons(desk: Desk, locations: list[Path]) -> list[str]:
    if not await desk.database.ping():
        return ["o banco de dados não responde"]
    reasons: list[str] = []
    state = await schema_state(desk.database, locations)
    if state.pending:
        reasons.append(f"migrações pendentes: {', '.join(sorted(state.pending))}")
    if state.unknown:
        reasons.append(f"o banco é mais novo que o código: {', '.join(sorted(state.unknown))}")
    if not reasons:
        async with desk.database.read() as session:
            seen = await last_seen(session)
        stale = dt.timedelta(seconds=desk.settings.worker_stale_seconds)
        if seen is None or desk.now() - seen > stale:
            reasons.append(f"nenhum worker visto nos últimos {stale.total_seconds():.0f} s")
    return reasons


@get(
    "/ready",
    summary="Verificar se o balcão está pronto",
    description=(
        "200 quando o banco responde, as migrações estão em dia e um worker foi"
        " visto há pouco; 503 com o motivo caso contrário (para o balanceador "
        "de carga)."
    ),
    tags=["público"],
    responses=error_responses(503),
)
async def ready(request: Request[Any, Any, Any], desk: NamedDependency[Desk]) -> Response[Any]:
    """Whether the database answers, migrations are current and a worker was seen recently."""
    reasons = await _reasons(desk, request.app.state.runtime.migration_locations)
    if reasons:
        return Response({"status": "unavailable", "reasons": reasons}, status_code=503)
    return Response({"status": "ready"})
