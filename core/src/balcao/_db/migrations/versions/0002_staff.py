"""staff workspace: browser sessions, login failures and TOTP, inbox indexes

Revision ID: 0002_staff
Revises: 0001_core
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_staff"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("second_factor_pending", sa.Boolean(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_staff_sessions_user_id", "staff_sessions", ["user_id"])
    op.create_table(
        "staff_logins",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("totp_sealed", sa.Text(), nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    # The inbox lists newest first, per unit and per assignee.
    op.create_index("ix_manifestations_created_id", "manifestations", ["created_at", "id"])
    op.create_index("ix_manifestations_assignee", "manifestations", ["assignee_id"])
    op.create_index("ix_deadlines_open_due", "deadlines", ["met_at", "due_on"])


def downgrade() -> None:
    op.drop_index("ix_deadlines_open_due", "deadlines")
    op.drop_index("ix_manifestations_assignee", "manifestations")
    op.drop_index("ix_manifestations_created_id", "manifestations")
    op.drop_table("staff_logins")
    op.drop_index("ix_staff_sessions_user_id", "staff_sessions")
    op.drop_table("staff_sessions")
