"""whatsapp: contacts keep their number sealed (so a key rotation can re-key them); cases
no longer list WhatsApp message ids in their extra data

Revision ID: 0002_whatsapp_sealing
Revises: 0001_whatsapp
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_whatsapp_sealing"
down_revision: str | Sequence[str] | None = "0001_whatsapp"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CASES = sa.table(
    "manifestations",
    sa.column("id", sa.Integer),
    sa.column("channel", sa.String),
    sa.column("extra", sa.JSON),
)


def upgrade() -> None:
    op.add_column("whatsapp_contacts", sa.Column("address_sealed", sa.Text(), nullable=True))
    # Message ids linked a case to its raw webhook events for anyone who saw the case.
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_CASES.c.id, _CASES.c.extra).where(_CASES.c.channel == "whatsapp")
    ).all()
    for case_id, extra in rows:
        if isinstance(extra, dict) and "whatsapp_messages" in extra:
            kept = {k: v for k, v in extra.items() if k != "whatsapp_messages"}
            connection.execute(sa.update(_CASES).where(_CASES.c.id == case_id).values(extra=kept))


def downgrade() -> None:
    op.drop_column("whatsapp_contacts", "address_sealed")
