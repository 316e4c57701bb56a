"""inbox indexes: a unit's cases per state, so a unit member's counts stop at the cap

Revision ID: 0010_inbox_indexes
Revises: 0009_management
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010_inbox_indexes"
down_revision: str | Sequence[str] | None = "0009_management"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Without it a unit's count per state intersects every case of the unit with every
    # case of the state (both grow with the history); with it, it reads up to the cap.
    op.create_index(
        "ix_manifestations_unit_state", "manifestations", ["unit_code", "state", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_manifestations_unit_state", table_name="manifestations")
