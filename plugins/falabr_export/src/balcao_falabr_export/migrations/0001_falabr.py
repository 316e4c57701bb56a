"""falabr_export: registrations

Revision ID: 0001_falabr
Revises:
Create Date: 2026-11-30 10:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_falabr"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("falabr_export",)
depends_on: str | Sequence[str] | None = "0001_core"

_TABLE = "falabr_registrations"


def upgrade() -> None:
    op.create_table(
        _TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("protocol", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("nup", sa.String(length=17), nullable=True),
        sa.Column("falabr_id", sa.Integer(), nullable=True),
        sa.Column("access_code_sealed", sa.Text(), nullable=True),
        sa.Column("situation", sa.String(length=120), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("poll_failures", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_falabr_registrations")),
        sa.UniqueConstraint("protocol", name=op.f("uq_falabr_registrations_protocol")),
    )
    op.create_index("ix_falabr_registrations_due", _TABLE, ["state", "next_attempt_at"])
    op.create_index("ix_falabr_registrations_poll", _TABLE, ["next_poll_at"])
    op.create_index("ix_falabr_registrations_nup", _TABLE, ["nup"])


def downgrade() -> None:
    op.drop_index("ix_falabr_registrations_nup", table_name=_TABLE)
    op.drop_index("ix_falabr_registrations_poll", table_name=_TABLE)
    op.drop_index("ix_falabr_registrations_due", table_name=_TABLE)
    op.drop_table(_TABLE)
