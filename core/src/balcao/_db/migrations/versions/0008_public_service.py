"""public service: satisfaction survey answers, annual management report notes

Revision ID: 0008_public_service
Revises: 0006_operations
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_public_service"
down_revision: str | Sequence[str] | None = "0006_operations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("manifestation_id", sa.Integer(), nullable=False),
        sa.Column("attended", sa.String(length=16), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["manifestation_id"], ["manifestations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("manifestation_id"),
    )
    op.create_table(
        "annual_report_notes",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )


def downgrade() -> None:
    op.drop_table("annual_report_notes")
    op.drop_table("survey_answers")
