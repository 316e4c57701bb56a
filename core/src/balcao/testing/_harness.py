"""A running balcão for tests: app, async client, desk, worker, factories."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
from litestar import Litestar

from balcao._app import create_app_from_runtime
from balcao._config import Settings, load_settings
from balcao._db.engine import Database
from balcao._desk import Desk
from balcao._domain.kinds import Kind
from balcao._runtime import Runtime, build_runtime
from balcao._services.users import create_token, create_user
from balcao._types import Actor, Citizen, NewManifestation, Receipt
from balcao._worker import Worker
from balcao.testing._clock import FakeClock
from balcao.testing._database import DatabaseFactory

__all__ = ["Balcao", "build_balcao"]

#: The secret key every test balcão runs with.
TEST_SECRET = "test-secret-key-that-is-long-enough-000"  # noqa: S105 - tests only
#: The password of the users :meth:`Balcao.user` creates.
TEST_PASSWORD = "senha-de-teste-123"  # noqa: S105 - tests only


@dataclass
class Balcao:
    """What ``make_balcao`` returns."""

    runtime: Runtime
    app: Litestar
    client: httpx.AsyncClient
    clock: FakeClock
    _users: dict[str, tuple[Actor, str]] = field(default_factory=dict)

    @property
    def desk(self) -> Desk:
        """The balcão's :class:`balcao.Desk`."""
        return self.runtime.desk

    @property
    def worker(self) -> Worker:
        """The background worker; run it with :meth:`run_worker`."""
        return self.runtime.worker

    @property
    def settings(self) -> Settings:
        """The settings the balcão runs with."""
        return self.runtime.settings

    async def manifestation(
        self,
        description: str = "O restaurante universitário fechou cedo.",
        *,
        kind: Kind | str = Kind.RECLAMACAO,
        channel: str = "fake",
        citizen: Citizen | None = None,
        **fields: Any,
    ) -> Receipt:
        """Register a manifestation straight through the desk (a factory)."""
        citizen = (
            citizen
            if citizen is not None or fields.get("anonymous")
            else Citizen(name="Maria da Silva", email="maria@example.org")
        )
        return await self.desk.intake(
            NewManifestation(
                kind=Kind(kind), channel=channel, description=description, citizen=citizen, **fields
            )
        )

    async def user(
        self,
        role: str,
        *,
        email: str | None = None,
        unit: str | None = None,
        password: str = TEST_PASSWORD,
    ) -> tuple[Actor, dict[str, str]]:
        """A staff user of ``role`` (who can also log in with ``password``) and the headers
        that authenticate as them on the API."""
        email = email or f"{role}{'-' + unit.lower() if unit else ''}@example.org"
        if email not in self._users:
            self._users[email] = await self._create_user(email, role, unit, password)
        actor, token = self._users[email]
        return actor, {"Authorization": f"Bearer {token}"}

    async def _create_user(
        self, email: str, role: str, unit: str | None, password: str
    ) -> tuple[Actor, str]:
        now = self.clock.now()
        async with self.desk.database.write() as session:
            user = await create_user(
                session,
                email=email,
                name=role.title(),
                role=role,
                unit=unit,
                password=password,
                now=now,
            )
            token = await create_token(session, self.desk.keys, email=email, label="teste", now=now)
        actor = Actor(
            kind="user",
            name=email,
            user_id=user.id,
            role=role,  # type: ignore[arg-type]
            unit_code=unit,
        )
        return actor, token

    async def run_worker(self, rounds: int = 1) -> int:
        """Run the worker ``rounds`` times; returns how much work it did."""
        return sum([await self.worker.run_once() for _ in range(rounds)])


async def build_balcao(
    factory: DatabaseFactory,
    clock: FakeClock,
    plugins: Sequence[tuple[str, object]],
    *,
    load_entrypoints: bool,
    environ: dict[str, str] | None,
    settings: dict[str, Any],
    tmp_path: Any,
) -> tuple[Runtime, Litestar]:
    environ = dict(environ or {})
    base = {"secret_key": TEST_SECRET, "files_dir": str(tmp_path / "files"), **settings}
    runtime = build_runtime(
        load_settings(environ, database_url="sqlite+aiosqlite://", **base),
        plugins=plugins,
        load_entrypoints=load_entrypoints,
        environ=environ,
        clock=clock,
    )
    # The throw-away database depends on which plugins (and so which migrations) are in.
    url = await factory.fresh(m.spec.location for m in runtime.migrations)
    runtime.settings = msgspec.structs.replace(runtime.settings, database_url=url)
    runtime.desk.settings = runtime.settings
    runtime.desk.database = Database(url)
    return runtime, create_app_from_runtime(runtime, debug=False)
