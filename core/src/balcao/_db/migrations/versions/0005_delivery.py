"""delivery engine: owner tokens on every claimable row, durable events, ordered inbound

Revision ID: 0005_delivery
Revises: 0004_hardening
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_delivery"
down_revision: str | Sequence[str] | None = "0004_hardening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("owner", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("ordering_key", sa.String(length=200), nullable=True))
        batch.create_index("ix_outbox_order", ["ordering_key", "state", "id"])
    _inbound()
    _schedule()
    _events()
    # not a batch: on SQLite that would copy the table and lose its full-text triggers
    op.add_column("manifestations", sa.Column("intake_key", sa.String(length=64), nullable=True))
    op.create_index("uq_manifestations_intake_key", "manifestations", ["intake_key"], unique=True)


def _inbound() -> None:
    with op.batch_alter_table("inbound_events") as batch:
        batch.add_column(
            sa.Column("state", sa.String(length=16), nullable=False, server_default="pending")
        )
        batch.add_column(sa.Column("owner", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("ordering_key", sa.String(length=200), nullable=True))
        batch.alter_column("error", new_column_name="last_error")
        batch.create_index("ix_inbound_due", ["state", "next_attempt_at"])
        batch.create_index("ix_inbound_order", ["ordering_key", "state", "id"])
    op.execute("UPDATE inbound_events SET state = 'done' WHERE processed_at IS NOT NULL")
    # the old worker parked an event for good by clearing its next attempt
    op.execute(
        "UPDATE inbound_events SET state = 'dead' "
        "WHERE processed_at IS NULL AND next_attempt_at IS NULL"
    )


def _schedule() -> None:
    with op.batch_alter_table("schedule") as batch:
        batch.alter_column("next_run_at", new_column_name="next_attempt_at")
        batch.add_column(
            sa.Column("state", sa.String(length=16), nullable=False, server_default="pending")
        )
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("owner", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))


def _events() -> None:
    op.create_table(
        "event_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("handler", sa.String(length=120), nullable=False),
        sa.Column("ordering_key", sa.String(length=200), nullable=True),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("protocol", sa.String(length=16), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("owner", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_event_deliveries_due", "event_deliveries", ["state", "next_attempt_at"])
    op.create_index("ix_event_deliveries_event_id", "event_deliveries", ["event_id"])
    op.create_index(
        "ix_event_deliveries_order", "event_deliveries", ["ordering_key", "state", "id"]
    )


def downgrade() -> None:
    op.drop_index("uq_manifestations_intake_key", "manifestations")
    op.drop_column("manifestations", "intake_key")
    op.drop_index("ix_event_deliveries_order", "event_deliveries")
    op.drop_index("ix_event_deliveries_event_id", "event_deliveries")
    op.drop_index("ix_event_deliveries_due", "event_deliveries")
    op.drop_table("event_deliveries")
    with op.batch_alter_table("schedule") as batch:
        for name in ("last_error", "owner", "attempts", "state"):
            batch.drop_column(name)
        batch.alter_column("next_attempt_at", new_column_name="next_run_at")
    with op.batch_alter_table("inbound_events") as batch:
        batch.drop_index("ix_inbound_order")
        batch.drop_index("ix_inbound_due")
        batch.alter_column("last_error", new_column_name="error")
        for name in ("ordering_key", "owner", "state"):
            batch.drop_column(name)
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_order")
        batch.drop_column("ordering_key")
        batch.drop_column("owner")
