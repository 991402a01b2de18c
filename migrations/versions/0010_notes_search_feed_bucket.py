"""notes search: ix_notes_fts also keys each note by where the feed puts it (PostgreSQL only)

The GIN index over (circle_id, search_fts) gains a middle column, the note's *feed bucket*:
``infinity`` for a pinned note (the feed shows those first), else the calendar month (UTC) it
was written in.  A search in a circle with years of notes can then ask the index for the matches
among the pinned notes and those of the last two months -- the ones the feed shows first -- and
read only those rows, instead of reading every match in the circle to sort them by date
(see careteam.notes.search).  SQLite's FTS5 table is not affected.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 06:00:00.000000
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Written out here, not imported, so this revision never changes under later code.  It must
# stay the same expression as careteam.notes.search.PG_FEED_BUCKET, or PostgreSQL cannot use
# the index for it (tests/test_notes_search.py checks the plan).
_FEED_BUCKET = (
    "(CASE WHEN pinned THEN 'infinity'::timestamp "
    "ELSE date_trunc('month', created_at AT TIME ZONE 'UTC') END)"
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_notes_fts")
    op.execute(
        f"CREATE INDEX ix_notes_fts ON notes USING GIN (circle_id, {_FEED_BUCKET}, search_fts)"
    )
    op.execute("ANALYZE notes")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_notes_fts")
    op.execute("CREATE INDEX ix_notes_fts ON notes USING GIN (circle_id, search_fts)")
