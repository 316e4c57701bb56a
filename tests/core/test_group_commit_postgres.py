"""Group commit against a PostgreSQL server that drops its connections (a restart, a
failover): the next webhook is still stored. Collected only when the suite runs on
PostgreSQL (a SQLite file has no server to drop connections)."""

from __future__ import annotations

from sqlalchemy import text

from balcao.testing import Balcao


async def _stored(balcao: Balcao) -> list[str]:
    async with balcao.desk.database.read() as session:
        rows = await session.execute(
            text("SELECT external_id FROM inbound_events WHERE channel = 'bench' ORDER BY id")
        )
        return [row[0] for row in rows]


async def test_a_webhook_after_the_database_dropped_its_connections_is_stored(
    balcao: Balcao,
) -> None:
    database = balcao.desk.database
    assert await balcao.desk.persist_inbound("bench", "before", b"{}") is True
    async with database.read() as session:  # every other connection to this database
        await session.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    assert await balcao.desk.persist_inbound("bench", "after", b"{}") is True
    assert await _stored(balcao) == ["before", "after"]
