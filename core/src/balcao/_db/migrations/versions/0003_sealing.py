"""sealing by purpose: raw inbound events already processed and outbox payloads already
delivered are emptied (they were kept in clear); what remains is sealed by ``keys reseal``

Revision ID: 0003_sealing
Revises: 0002_staff
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_sealing"
down_revision: str | Sequence[str] | None = "0002_staff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INBOUND = sa.table(
    "inbound_events", sa.column("body", sa.LargeBinary), sa.column("processed_at", sa.DateTime)
)
_OUTBOX = sa.table("outbox", sa.column("payload", sa.JSON), sa.column("state", sa.String))


def upgrade() -> None:
    # A migration has no keys: it can only drop what is no longer needed. Rows still to be
    # processed or delivered are read as they are and sealed by `balcao keys reseal`.
    op.execute(sa.update(_INBOUND).where(_INBOUND.c.processed_at.isnot(None)).values(body=b""))
    op.execute(sa.update(_OUTBOX).where(_OUTBOX.c.state == "delivered").values(payload={}))


def downgrade() -> None:
    """Emptied payloads cannot come back; nothing to undo in the schema."""
