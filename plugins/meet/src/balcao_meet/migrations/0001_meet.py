"""meet bookings

Revision ID: 0001_meet
Revises:
Create Date: 2026-11-30 10:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_meet"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("meet",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table(
        "meet_bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_key", sa.String(length=40), nullable=True),
        sa.Column("protocol", sa.String(length=16), nullable=True),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("event_state", sa.String(length=16), nullable=False),
        sa.Column("meeting_url", sa.String(length=300), nullable=False),
        sa.Column("meeting_code", sa.String(length=64), nullable=True),
        sa.Column("contact", sa.String(length=16), nullable=False),
        sa.Column("reminders", sa.JSON(), nullable=False),
        sa.Column("import_state", sa.String(length=16), nullable=False),
        sa.Column("import_attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slot_key", name="uq_meet_bookings_slot"),
        sa.UniqueConstraint("protocol", name="uq_meet_bookings_protocol"),
        sa.UniqueConstraint("event_id", name="uq_meet_bookings_event"),
    )
    op.create_index("ix_meet_bookings_start_at", "meet_bookings", ["start_at"])
    op.create_index("ix_meet_bookings_status", "meet_bookings", ["status"])


def downgrade() -> None:
    op.drop_index("ix_meet_bookings_status", table_name="meet_bookings")
    op.drop_index("ix_meet_bookings_start_at", table_name="meet_bookings")
    op.drop_table("meet_bookings")
