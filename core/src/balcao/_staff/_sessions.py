"""Staff browser sessions: login with lockout and slow-down, the optional second factor,
and the actor behind a session cookie."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from sqlalchemy import select, update

from balcao._db.models import StaffLogin, StaffSession, UserRow
from balcao._desk import Desk
from balcao._services import audit
from balcao._services.staff_limits import Limits, current_limits
from balcao._services.users import verify_password
from balcao._staff import _totp
from balcao._types import Actor

__all__ = [
    "COOKIE",
    "LoginResult",
    "actor_for_session",
    "current_session",
    "enable_totp",
    "end_session",
    "log_in",
    "session_actor",
    "totp_enabled",
    "verify_second_factor",
]

COOKIE = "balcao_staff"
# the cookie outlives any session the limits allow; the database says when one ends
COOKIE_HOURS = 24
_TOUCH = dt.timedelta(minutes=1)
_WRONG_CODE = "Código inválido ou já usado. Confira o relógio do celular."
# A real hash of a throw-away value: unknown e-mails cost the same time as wrong passwords.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$ivy7nPIilRA33VZMEpQddQ$"
    "NJDPS0D20toh2GX6RNRs1BaWTpvidEuSbc1Lu3TpbJU"
)


@dataclass(frozen=True)
class LoginResult:
    """``token`` for the cookie when the password matched; ``error`` otherwise."""

    token: str | None = None
    second_factor: bool = False
    error: str | None = None


def _actor(user: UserRow) -> Actor:
    return Actor(
        kind="user",
        name=user.email,
        user_id=user.id,
        role=user.role,  # type: ignore[arg-type]
        unit_code=user.unit_code,
    )


async def _user(desk: Desk, email: str) -> UserRow | None:
    query = select(UserRow).where(UserRow.email == email.strip().lower(), UserRow.active.is_(True))
    async with desk.database.read() as session:
        return (await session.scalars(query)).first()


async def _login_state(desk: Desk, user_id: int) -> StaffLogin:
    async with desk.database.write() as session:
        row = await session.get(StaffLogin, user_id)
        if row is None:
            row = StaffLogin(user_id=user_id, failures=0)
            session.add(row)
        return row


async def log_in(desk: Desk, email: str, password: str) -> LoginResult:
    """Check the password; after repeated failures the account is locked for a while and
    every further failure answers more slowly."""
    user = await _user(desk, email)
    if user is None:
        verify_password(UserRow(password_hash=_DUMMY_HASH), password)  # same work either way
        return LoginResult(error="E-mail ou senha incorretos.")
    state = await _login_state(desk, user.id)
    limits = await _limits(desk)
    now = desk.now()
    if state.locked_until is not None and state.locked_until > now:
        return LoginResult(error=_locked_text(state.locked_until, now))
    if not verify_password(user, password):
        return await _failed(desk, user, state.failures + 1, limits)
    await _reset_failures(desk, user.id)
    pending = state.totp_sealed is not None
    token = await _new_session(desk, user, pending, limits)
    return LoginResult(token=token, second_factor=pending)


async def _limits(desk: Desk) -> Limits:
    async with desk.database.read() as session:
        return await current_limits(session)


def _locked_text(until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, int((until - now).total_seconds() // 60) + 1)
    return (
        "Conta bloqueada temporariamente por excesso de tentativas. "
        f"Tente de novo em {minutes} minuto(s) ou peça ajuda ao ouvidor."
    )


async def _failed(desk: Desk, user: UserRow, failures: int, limits: Limits) -> LoginResult:
    lock = dt.timedelta(minutes=limits.lockout_minutes)
    locked = desk.now() + lock if failures >= limits.lockout_failures else None
    async with desk.database.write() as session:
        await session.execute(
            update(StaffLogin)
            .where(StaffLogin.user_id == user.id)
            .values(failures=0 if locked else failures, locked_until=locked)
        )
        if locked is not None:
            audit.record(session, desk.now(), _actor(user), "login_locked", factor="password")
    await _slow_down(failures)
    if locked is not None:
        return LoginResult(error=_locked_text(locked, desk.now()))
    return LoginResult(error="E-mail ou senha incorretos.")


async def _slow_down(failures: int) -> None:
    """Each failure in a row costs a little more time, up to two seconds."""
    await asyncio.sleep(min(0.1 * 2 ** max(failures - 2, 0), 2.0) if failures > 1 else 0)


async def _reset_failures(desk: Desk, user_id: int) -> None:
    async with desk.database.write() as session:
        await session.execute(
            update(StaffLogin)
            .where(StaffLogin.user_id == user_id)
            .values(failures=0, locked_until=None)
        )


async def _new_session(desk: Desk, user: UserRow, pending: bool, limits: Limits) -> str:
    token = secrets.token_urlsafe(32)
    now = desk.now()
    async with desk.database.write() as session:
        session.add(
            StaffSession(
                token_hash=desk.keys.digest("session:" + token),
                user_id=user.id,
                created_at=now,
                expires_at=now + dt.timedelta(hours=limits.session_hours),
                last_seen_at=now,
                second_factor_pending=pending,
            )
        )
    return token


async def _session_row(desk: Desk, token: str) -> tuple[StaffSession, UserRow] | None:
    now = desk.now()
    async with desk.database.read() as session:
        limits = await current_limits(session)
        found = (await session.execute(_session_query(desk, token))).first()
    if found is None:
        return None
    row, user = found[0], found[1]
    seen = row.last_seen_at or row.created_at
    if now - row.created_at > dt.timedelta(hours=limits.session_hours):
        return None  # a shorter lifetime set since the login applies at once
    if limits.idle_minutes and now - seen > dt.timedelta(minutes=limits.idle_minutes):
        return None
    if now - seen > _TOUCH:
        await _touch(desk, row.id, now)
    return row, user


async def _touch(desk: Desk, session_id: int, now: dt.datetime) -> None:
    """Note that the session is in use (at most once a minute), for the idle timeout."""
    async with desk.database.write() as session:
        await session.execute(
            update(StaffSession).where(StaffSession.id == session_id).values(last_seen_at=now)
        )


async def current_session(desk: Desk, token: str) -> tuple[StaffSession, UserRow] | None:
    """The live session behind ``token`` and its user (None when ended or expired)."""
    return await _session_row(desk, token)


def _session_query(desk: Desk, token: str) -> Any:
    return (
        select(StaffSession, UserRow)
        .join(UserRow, UserRow.id == StaffSession.user_id)
        .where(
            StaffSession.token_hash == desk.keys.digest("session:" + token),
            StaffSession.revoked_at.is_(None),
            StaffSession.expires_at > desk.now(),
            UserRow.active.is_(True),
        )
    )


async def actor_for_session(desk: Desk, token: str, *, pending_ok: bool = False) -> Actor | None:
    """The staff member behind a session token (None for a session still waiting for its
    second factor, unless ``pending_ok``)."""
    found = await _session_row(desk, token)
    if found is None or (found[0].second_factor_pending and not pending_ok):
        return None
    return _actor(found[1])


async def session_actor(connection: ASGIConnection[Any, Any, Any, Any], desk: Desk) -> Actor | None:
    """The actor behind the session cookie; what the account must do first (a new password,
    enrolling the second factor) is left in the scope for the staff pages' guard."""
    token = connection.cookies.get(COOKIE)
    found = await _session_row(desk, token) if token else None
    if found is None or found[0].second_factor_pending:
        return None
    user = found[1]
    duties = {"password": user.must_change_password, "second_factor": user.second_factor_required}
    connection.scope["balcao_duties"] = duties  # type: ignore[typeddict-unknown-key]
    return _actor(user)


async def end_session(desk: Desk, token: str) -> None:
    async with desk.database.write() as session:
        await session.execute(
            update(StaffSession)
            .where(StaffSession.token_hash == desk.keys.digest("session:" + token))
            .values(revoked_at=desk.now())
        )


async def totp_enabled(desk: Desk, user_id: int) -> bool:
    async with desk.database.read() as session:
        row = await session.get(StaffLogin, user_id)
    return row is not None and row.totp_sealed is not None


async def verify_second_factor(desk: Desk, token: str, code: str) -> str | None:
    """Complete a pending session with a TOTP code (each code works once): None when done,
    else what to tell the person. Wrong codes count like wrong passwords, in the database
    (every instance sees the same count): the fifth in a row locks the account and ends
    its pending sessions."""
    found = await _session_row(desk, token)
    if found is None:
        return _WRONG_CODE
    now = desk.now()
    limits = await _limits(desk)
    async with desk.database.write() as session:
        # Locked for the update: instances answering at once must not lose a failure.
        state = await session.get(StaffLogin, found[1].id, with_for_update=True)
        if state is None or state.totp_sealed is None:
            return _WRONG_CODE
        if state.locked_until is not None and state.locked_until > now:
            return _locked_text(state.locked_until, now)
        secret = desk.sealer("core.totp").open_text(state.totp_sealed, state.user_id)
        step = _totp.verify(secret, code, now.timestamp(), state.totp_last_step)
        if step is not None:
            await _accept(session, state, step, found[0].id)
            return None
        failures = await _count_failure(desk, session, state, found[1], limits)
    await _slow_down(failures)
    if failures >= limits.lockout_failures:
        return _locked_text(now + dt.timedelta(minutes=limits.lockout_minutes), now)
    return _WRONG_CODE


async def _accept(session: Any, state: StaffLogin, step: int, session_id: int) -> None:
    state.totp_last_step, state.totp_failures = step, 0
    await session.execute(
        update(StaffSession)
        .where(StaffSession.id == session_id)
        .values(second_factor_pending=False)
    )


async def _count_failure(
    desk: Desk, session: Any, state: StaffLogin, user: UserRow, limits: Limits
) -> int:
    """One more wrong code; at the limit, lock the account, end its pending sessions and
    audit the lockout. Returns the count reached."""
    failures = (state.totp_failures or 0) + 1
    state.totp_failures = 0 if failures >= limits.lockout_failures else failures
    if failures < limits.lockout_failures:
        return failures
    state.locked_until = desk.now() + dt.timedelta(minutes=limits.lockout_minutes)
    await session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user.id, StaffSession.second_factor_pending.is_(True))
        .values(revoked_at=desk.now())
    )
    audit.record(session, desk.now(), _actor(user), "login_locked", factor="totp")
    return failures


async def enable_totp(desk: Desk, user_id: int, secret: str, code: str) -> bool:
    """Turn the second factor on once the user proves the app shows the right codes."""
    step = _totp.verify(secret, code, desk.now().timestamp(), None)
    if step is None:
        return False
    state = await _login_state(desk, user_id)
    async with desk.database.write() as session:
        row = await session.get(StaffLogin, state.user_id)
        assert row is not None
        row.totp_sealed = desk.sealer("core.totp").seal(secret, row.user_id)
        row.totp_last_step = step
    return True
