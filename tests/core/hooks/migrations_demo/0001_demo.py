"""demo plugin table

Revision ID: demo_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "demo_0001"
down_revision = None
branch_labels = ("demo",)
depends_on = "0001_core"


def upgrade() -> None:
    op.create_table(
        "demo_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("manifestation_id", sa.Integer, sa.ForeignKey("manifestations.id")),
        sa.Column("text", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("demo_notes")
