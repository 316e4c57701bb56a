"""Group commit against a PostgreSQL server that drops its connections (a restart, a
failover): the next webhook is still stored. Inbound events written on the plain asyncpg
connection (``_db/direct.py``) are the rows the engine writes. The engine's connections plan
each statement for its values. Collected only when the suite runs on PostgreSQL (a SQLite
file has no server to drop connections)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from balcao._services.inbound_store import INBOUND_WRITE, store_inbound
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


async def test_the_plain_connection_stores_what_the_engine_stores(balcao: Balcao) -> None:
    database = balcao.desk.database
    at = dt.datetime(2026, 3, 1, 8, 30, 5, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))

    def event(external_id: str) -> dict[str, object]:
        return {
            "channel": "bench",
            "external_id": external_id,
            "ordering_key": None,
            "body": b"\x00sealed\xff",
            "received_at": at,
            "state": "pending",
            "attempts": 0,
            "next_attempt_at": at,
        }

    assert await database.grouped_many(store_inbound, event("engine")) is True
    assert await database.grouped_plain(INBOUND_WRITE, event("plain")) is True
    assert await database.grouped_plain(INBOUND_WRITE, event("plain")) is False
    async with database.read() as session:
        rows = (
            await session.execute(
                text(
                    "SELECT ordering_key, body, received_at, state, attempts, next_attempt_at "
                    "FROM inbound_events WHERE channel = 'bench' ORDER BY id"
                )
            )
        ).all()
    assert len(rows) == 2 and rows[0] == rows[1]
    assert rows[1].received_at == at and rows[1].body == b"\x00sealed\xff"


async def test_every_connection_plans_each_statement_for_its_values(balcao: Balcao) -> None:
    # a generic plan (PostgreSQL's choice after five runs of a prepared statement) walked
    # the whole due-date index for the overdue count on every staff page
    database = balcao.desk.database
    async with database.read() as reading, database.write() as writing:
        for session in (reading, writing):
            mode = await session.scalar(text("SHOW plan_cache_mode"))
            assert mode == "force_custom_plan"
