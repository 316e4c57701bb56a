"""The audit log, readable by the ouvidor and auditors, and its CSV export."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy import Select, func, select

from balcao._access import Access
from balcao._db.models import AuditEntry
from balcao._desk import Desk
from balcao._services.staff_admin import ACTION_LABELS
from balcao._staff._common import page
from balcao._staff._csv import csv_response

__all__ = ["AUDIT_ROUTES"]

_PER_PAGE = 50


def _query(protocol: str | None, actor: str | None, action: str | None) -> Select[Any]:
    query = select(AuditEntry)
    if protocol:
        query = query.where(AuditEntry.protocol == protocol.strip())
    if actor:
        query = query.where(AuditEntry.actor.contains(actor.strip(), autoescape=True))
    if action:
        query = query.where(AuditEntry.action == action.strip())
    return query


@get("/staff/auditoria", opt={"access": Access.AUDIT}, include_in_schema=False)
async def audit_page(
    desk: NamedDependency[Desk],
    request: Request[Any, Any, Any],
    protocolo: FromQuery[str | None] = None,
    usuario: FromQuery[str | None] = None,
    acao: FromQuery[str | None] = None,
    pagina: FromQuery[int] = 1,
) -> Template:
    query = _query(protocolo, usuario, acao)
    number = max(pagina, 1)
    async with desk.database.read() as session:
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        entries = list(
            await session.scalars(
                query.order_by(AuditEntry.id.desc())
                .limit(_PER_PAGE)
                .offset((number - 1) * _PER_PAGE)
            )
        )
        actions = list(await session.scalars(select(AuditEntry.action).distinct()))
    return page(
        request,
        "audit.html",
        entries=entries,
        total=int(total or 0),
        number=number,
        pages=max((int(total or 0) + _PER_PAGE - 1) // _PER_PAGE, 1),
        actions=sorted(actions),
        action_labels=ACTION_LABELS,
        filters={"protocolo": protocolo or "", "usuario": usuario or "", "acao": acao or ""},
    )


@get("/staff/auditoria.csv", opt={"access": Access.AUDIT}, include_in_schema=False)
async def audit_csv(
    desk: NamedDependency[Desk],
    protocolo: FromQuery[str | None] = None,
    usuario: FromQuery[str | None] = None,
    acao: FromQuery[str | None] = None,
) -> Response[bytes]:
    query = _query(protocolo, usuario, acao).order_by(AuditEntry.id)
    async with desk.database.read() as session:
        entries = list(await session.scalars(query))
    rows = (
        (
            e.id,
            e.at.isoformat(),
            e.actor,
            e.action,
            e.protocol or "",
            json.dumps(e.detail, ensure_ascii=False),
        )
        for e in entries
    )
    return csv_response(
        "auditoria.csv", ("id", "quando", "quem", "acao", "protocolo", "detalhes"), rows
    )


AUDIT_ROUTES = [audit_page, audit_csv]
