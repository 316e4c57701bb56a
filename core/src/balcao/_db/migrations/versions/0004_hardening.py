"""hardening: wrong second-factor codes counted apart from wrong passwords

Revision ID: 0004_hardening
Revises: 0003_sealing
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_hardening"
down_revision: str | Sequence[str] | None = "0003_sealing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_logins") as table:
        table.add_column(
            sa.Column("totp_failures", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_logins") as table:
        table.drop_column("totp_failures")
