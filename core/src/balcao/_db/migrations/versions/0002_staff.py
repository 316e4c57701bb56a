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
    # The yearly report counts from these indexes alone, without reading the case text.
    op.create_index(
        "ix_manifestations_report",
        "manifestations",
        ["year", "kind", "channel", "unit_code", "state", "created_at"],
    )
    op.create_index(
        "ix_deadlines_open_by_case", "deadlines", ["manifestation_id", "met_at", "due_on"]
    )
    _search_index()


def _search_index() -> None:
    """Substring search over the folded text without reading every row: FTS5 trigrams on
    SQLite, pg_trgm on PostgreSQL (skipped, and search still works, without the extension)."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in _SQLITE_FTS:
            op.execute(statement)
        return
    if bind.dialect.name == "postgresql":
        with bind.begin_nested() as savepoint:
            try:
                bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            except sa.exc.DBAPIError:
                savepoint.rollback()
                return
        op.execute(
            "CREATE INDEX ix_manifestations_search_trgm ON manifestations "
            "USING gin (search_text gin_trgm_ops)"
        )


_SQLITE_FTS = (
    "CREATE VIRTUAL TABLE manifestations_fts USING fts5(search_text, content='manifestations', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER manifestations_fts_insert AFTER INSERT ON manifestations BEGIN "
    "INSERT INTO manifestations_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER manifestations_fts_delete AFTER DELETE ON manifestations BEGIN "
    "INSERT INTO manifestations_fts(manifestations_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER manifestations_fts_update AFTER UPDATE OF search_text ON manifestations BEGIN "
    "INSERT INTO manifestations_fts(manifestations_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO manifestations_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO manifestations_fts(manifestations_fts) VALUES ('rebuild')",
)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS manifestations_fts_{name}")
        op.execute("DROP TABLE IF EXISTS manifestations_fts")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_manifestations_search_trgm")
    op.drop_index("ix_deadlines_open_by_case", "deadlines")
    op.drop_index("ix_manifestations_report", "manifestations")
    op.drop_index("ix_deadlines_open_due", "deadlines")
    op.drop_index("ix_manifestations_assignee", "manifestations")
    op.drop_index("ix_manifestations_created_id", "manifestations")
    op.drop_table("staff_logins")
    op.drop_index("ix_staff_sessions_user_id", "staff_sessions")
    op.drop_table("staff_sessions")
