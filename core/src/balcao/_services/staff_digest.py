"""The daily e-mail digest a staff member may opt into: what is due on their cases. A job of
the worker queues one digest per person and local day through the outbox, on the e-mail
channel; without that channel there is nothing to send through and the option is off."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from balcao._db.models import DeadlineRow, ManifestationRow, UserRow
from balcao._desk import Desk
from balcao._services import audit
from balcao._types import Actor

__all__ = [
    "CHANNEL",
    "SEND_FROM",
    "available",
    "digest_text",
    "send_digests",
    "set_digest",
]

CHANNEL = "email"
SEND_FROM = dt.time(7, 0)  # local time: the digest is waiting when the office opens
KIND = "staff_digest"


def available(desk: Desk) -> bool:
    return CHANNEL in desk.channels


async def set_digest(desk: Desk, actor: Actor, wanted: bool) -> None:
    async with desk.database.write() as session:
        await session.execute(
            update(UserRow).where(UserRow.id == actor.user_id).values(digest_opt_in=wanted)
        )
        audit.record(session, desk.now(), actor, "staff_digest_choice", wanted=wanted)


async def _due(desk: Desk, user: UserRow) -> list[tuple[str, dt.date]]:
    """Open deadlines within the warning horizon (or past) on the person's cases: assigned
    to them, or, for a unit member, forwarded to their unit."""
    horizon = desk.today() + dt.timedelta(days=desk.settings.deadline_warning_days)
    mine = (
        ManifestationRow.unit_code == user.unit_code
        if user.role == "unidade"
        else ManifestationRow.assignee_id == user.id
    )
    query = (
        select(ManifestationRow.protocol, DeadlineRow.due_on)
        .join(DeadlineRow, DeadlineRow.manifestation_id == ManifestationRow.id)
        .where(mine, DeadlineRow.met_at.is_(None), DeadlineRow.due_on <= horizon)
        .order_by(DeadlineRow.due_on, ManifestationRow.protocol)
    )
    async with desk.database.read() as session:
        return [(p, d) for p, d in (await session.execute(query)).all()]


def digest_text(desk: Desk, due: list[tuple[str, dt.date]]) -> str:
    today = desk.today()
    lines = [f"Prazos das suas manifestações em {today:%d/%m/%Y}:", ""]
    for protocol, on in due:
        state = "VENCIDO em" if on < today else "vence em"
        link = f"{desk.settings.public_url.rstrip('/')}/staff/manifestacoes/{protocol}"
        lines.append(f"- {protocol}: {state} {on:%d/%m/%Y} — {link}")
    lines += ["", "Para deixar de receber este resumo, desmarque a opção em Minha conta."]
    return "\n".join(lines)


async def send_digests(desk: Desk) -> None:
    """Queue today's digest for each opted-in active person with something due (once a
    day: the outbox refuses a second digest with the same key)."""
    if not available(desk) or desk.calendar.local(desk.now()).time() < SEND_FROM:
        return
    query = select(UserRow).where(UserRow.digest_opt_in.is_(True), UserRow.active.is_(True))
    async with desk.database.read() as session:
        people = list(await session.scalars(query))
    for user in people:
        due = await _due(desk, user)
        if due:
            await desk.enqueue(
                CHANNEL,
                idempotency_key=f"staff-digest:{user.id}:{desk.today().isoformat()}",
                text=digest_text(desk, due),
                kind=KIND,
                extra={"to_sealed": desk.keys.encrypt(user.email.encode())},
            )
