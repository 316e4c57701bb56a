"""email channel tables

Revision ID: 0001_email
Revises:
Create Date: 2026-12-07 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_email"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("email",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table(
        "email_messages",
        sa.Column("message_id", sa.String(255), primary_key=True),
        sa.Column("protocol", sa.String(16), nullable=False, index=True),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("address_hash", sa.String(64), nullable=True, index=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("email_messages")
