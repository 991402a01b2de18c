"""notes search: ix_notes_fts also keys each note by where the feed puts it (PostgreSQL only)

The GIN index over (circle_id, search_fts) gains a middle column, the note's *feed bucket*, one
number per circle and place in the feed: minus the circle's id for its pinned notes (the feed
shows those first), else the circle's id * 100,000 + the calendar month (UTC, year * 12 + month)
the note was written in.  A search in a circle with years of notes can then ask the index for
the matches among the pinned notes and those of the last two months -- the ones the feed shows
first -- and read only those rows, instead of reading every match in the circle to sort them by
date (see careteam.notes.search).  The circle is part of the key so that the index need not
walk the whole circle's entries to find a few pinned notes.  SQLite's FTS5 table is unaffected.

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
    "(CASE WHEN pinned THEN -circle_id::bigint ELSE circle_id::bigint * 100000 + "
    "(date_part('year', created_at AT TIME ZONE 'UTC') * 12 "
    "+ date_part('month', created_at AT TIME ZONE 'UTC'))::bigint END)"
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
