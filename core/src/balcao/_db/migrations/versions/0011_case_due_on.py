"""each case's nearest open deadline, kept by the database beside the case; a kind's and a
channel's cases indexed by state

Revision ID: 0011_case_due_on
Revises: 0010_inbox_indexes

The inbox asks two things on every page: how many cases are overdue (for the menu) and,
under a filter, which are overdue or due soon. Asked of the deadlines, both read every
open deadline in range and then look each case up: 8 ms for a unit member at 100,000 cases
with 15,000 overdue, the unit's cases found among all the overdue ones. With the nearest
open deadline on the case, an index on (unit, due date) answers both, stopping at the cap.

Triggers keep it, so every way of writing a deadline (the services, a plugin's statement,
an operator's SQL) keeps it right: inserting, meeting, extending, resuming or deleting a
deadline sets its case's ``due_on`` to the earliest ``due_on`` among its deadlines not met.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_case_due_on"
down_revision: str | Sequence[str] | None = "0010_inbox_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEAREST = (
    "(SELECT min(d.due_on) FROM deadlines d WHERE d.manifestation_id = {case} AND d.met_at IS NULL)"
)
# written only when it changes: a deadline moved behind a nearer one leaves the case alone
_SQLITE_SET = "UPDATE manifestations SET due_on = {n} WHERE id = {case} AND due_on IS NOT {n};"
_WATCHED = "due_on, met_at, manifestation_id"
# only the cases with an open deadline: the others stay null, and every row updated writes
# a new version into each index (at 100,000 cases on PostgreSQL, 35 s for all, 7 s for these)
_FILL = (
    "UPDATE manifestations SET due_on = "  # noqa: S608 - constant
    + _NEAREST.format(case="manifestations.id")
    + " WHERE id IN (SELECT manifestation_id FROM deadlines WHERE met_at IS NULL)"
)


def _sqlite_set(case: str) -> str:
    return _SQLITE_SET.format(n=_NEAREST.format(case=case), case=case)


_SQLITE = (
    "CREATE TRIGGER deadlines_case_due_insert AFTER INSERT ON deadlines BEGIN "
    + _sqlite_set("new.manifestation_id")
    + " END",
    f"CREATE TRIGGER deadlines_case_due_update AFTER UPDATE OF {_WATCHED} ON deadlines BEGIN "
    + _sqlite_set("old.manifestation_id")
    + " "
    + _sqlite_set("new.manifestation_id")
    + " END",
    "CREATE TRIGGER deadlines_case_due_delete AFTER DELETE ON deadlines BEGIN "
    + _sqlite_set("old.manifestation_id")
    + " END",
)

# Each case's row is locked first: under READ COMMITTED the next statement then takes a new
# snapshot, which sees the deadlines another transaction committed while this one waited,
# so two transactions changing one case's deadlines cannot leave the older answer behind.
_POSTGRESQL_FUNCTION = """
CREATE FUNCTION balcao_case_due_on() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cases integer[];
  one integer;
  nearest date;
BEGIN
  IF TG_OP = 'INSERT' THEN
    cases := ARRAY[NEW.manifestation_id];
  ELSIF TG_OP = 'DELETE' OR OLD.manifestation_id = NEW.manifestation_id THEN
    cases := ARRAY[OLD.manifestation_id];
  ELSE
    cases := ARRAY[OLD.manifestation_id, NEW.manifestation_id];
  END IF;
  FOREACH one IN ARRAY cases LOOP
    PERFORM 1 FROM manifestations WHERE id = one FOR UPDATE;
    SELECT min(due_on) INTO nearest FROM deadlines WHERE manifestation_id = one AND met_at IS NULL;
    UPDATE manifestations SET due_on = nearest WHERE id = one AND due_on IS DISTINCT FROM nearest;
  END LOOP;
  RETURN NULL;
END $$
"""
_POSTGRESQL_TRIGGER = (
    f"CREATE TRIGGER deadlines_case_due AFTER INSERT OR DELETE OR UPDATE OF {_WATCHED} "
    "ON deadlines FOR EACH ROW EXECUTE FUNCTION balcao_case_due_on()"
)


def _kind_and_channel(then: tuple[str, ...]) -> None:
    # A kind's or a channel's cases per state, read from the index up to the cap. Alone, a
    # kind's index holds a sixth of every case; PostgreSQL intersected it with the state's
    # for each state's count (53 ms at 1,000,000 cases, 12 ms with the state in the index).
    for column in ("kind", "channel"):
        op.drop_index(f"ix_manifestations_{column}", table_name="manifestations")
        op.create_index(f"ix_manifestations_{column}", "manifestations", [column, *then])


def upgrade() -> None:
    # not a batch: on SQLite that would copy the table and lose its full-text triggers
    op.add_column("manifestations", sa.Column("due_on", sa.Date(), nullable=True))
    op.execute(_FILL)
    op.create_index("ix_manifestations_due_on", "manifestations", ["due_on", "state"])
    op.create_index(
        "ix_manifestations_unit_due_on", "manifestations", ["unit_code", "due_on", "state"]
    )
    _kind_and_channel(("state", "created_at"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_POSTGRESQL_FUNCTION)
        op.execute(_POSTGRESQL_TRIGGER)
    else:
        for statement in _SQLITE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS deadlines_case_due ON deadlines")
        op.execute("DROP FUNCTION IF EXISTS balcao_case_due_on()")
    else:
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS deadlines_case_due_{name}")
    _kind_and_channel(())
    op.drop_index("ix_manifestations_unit_due_on", table_name="manifestations")
    op.drop_index("ix_manifestations_due_on", table_name="manifestations")
    op.drop_column("manifestations", "due_on")
