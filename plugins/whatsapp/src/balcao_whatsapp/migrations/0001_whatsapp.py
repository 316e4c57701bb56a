"""whatsapp channel tables

Revision ID: 0001_whatsapp
Revises:
Create Date: 2026-11-30 10:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_whatsapp"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("whatsapp",)
depends_on: str | Sequence[str] | None = "0001_core"

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "whatsapp_contacts",
        sa.Column("address_hash", sa.String(64), primary_key=True),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(32), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("last_inbound_at", _AT, nullable=True),
        sa.Column("closed_notice_for", sa.String(40), nullable=True),
        sa.Column("held", sa.JSON(), nullable=False),
        sa.Column("updated_at", _AT, nullable=False),
    )
    op.create_table(
        "whatsapp_media",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("wamid", sa.String(200), nullable=False, unique=True),
        sa.Column("protocol", sa.String(16), nullable=False, index=True),
        sa.Column("media_id", sa.String(200), nullable=True),
        sa.Column("media_type", sa.String(16), nullable=False),
        sa.Column("mime_type", sa.String(120), nullable=True),
        sa.Column("sha256", sa.String(100), nullable=True),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _AT, nullable=False),
        sa.Column("expires_at", _AT, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _AT, nullable=False),
    )
    op.create_table(
        "whatsapp_statuses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("wamid", sa.String(200), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("received_at", _AT, nullable=False),
        sa.UniqueConstraint("wamid", "status", name="uq_whatsapp_statuses"),
    )
    op.create_table(
        "whatsapp_sent",
        sa.Column("idempotency_key", sa.String(120), primary_key=True),
        sa.Column("wamid", sa.String(200), nullable=False, index=True),
        sa.Column("protocol", sa.String(16), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("recipient_sealed", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("sent_at", _AT, nullable=False),
    )
    op.create_table(
        "whatsapp_state",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", _AT, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "whatsapp_state",
        "whatsapp_sent",
        "whatsapp_statuses",
        "whatsapp_media",
        "whatsapp_contacts",
    ):
        op.drop_table(table)
