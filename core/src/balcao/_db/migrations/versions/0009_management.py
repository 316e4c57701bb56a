"""management in the browser: routing rule versions, staff limits, user flags

Revision ID: 0009_management
Revises: 0008_public_service
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_management"
down_revision: str | Sequence[str] | None = "0008_public_service"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_USER_FLAGS = ("must_change_password", "second_factor_required", "digest_opt_in")


def upgrade() -> None:
    op.create_table(
        "routing_rule_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("restored_from", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )
    op.create_table(
        "staff_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("users") as table:
        for name in _USER_FLAGS:
            table.add_column(
                sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())
            )
    with op.batch_alter_table("staff_sessions") as table:
        table.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_sessions") as table:
        table.drop_column("last_seen_at")
    with op.batch_alter_table("users") as table:
        for name in _USER_FLAGS:
            table.drop_column(name)
    op.drop_table("staff_settings")
    op.drop_table("routing_rule_versions")
