"""notes search scoped to one circle: stored tsvector + (circle, vector) GIN; FTS5 circle column

PostgreSQL: the stored generated column ``notes.search_fts`` holds the weighted tsvector, so a
search never runs ``to_tsvector`` at query time (about 0.17 ms a note), and ``ix_notes_fts``
becomes a GIN index over (circle_id, search_fts) through ``btree_gin``, so one circle's matches
come out of the index without visiting other circles.  Adding the column fills it for every
existing note; ANALYZE gives the planner the lexeme statistics it picks plans by.

SQLite: ``notes_fts`` gains a ``circle_key`` column ("circle<id>", read from the view
``notes_fts_source``), so a MATCH can be limited to one circle inside FTS5; the table is rebuilt
from the notes, and the triggers recreated to fill the new column.

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-02 04:35:00
"""

from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None

# Written out here, not imported, so this revision never changes under later code.
_PG_VECTOR = """
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce(tags_text, '')), 'B') ||
    setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'C')
"""

_PG_UPGRADE = [
    # A trusted extension (PostgreSQL 13+): the database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    f"ALTER TABLE notes ADD COLUMN search_fts tsvector GENERATED ALWAYS AS ({_PG_VECTOR}) STORED",
    "DROP INDEX IF EXISTS ix_notes_fts",
    "CREATE INDEX ix_notes_fts ON notes USING GIN (circle_id, search_fts)",
    "ANALYZE notes",
]

# Back to 0004's expression index.  btree_gin stays installed: other objects may use it, and
# an operator may have installed it before this revision.
_PG_DOWNGRADE = [
    "DROP INDEX IF EXISTS ix_notes_fts",
    "ALTER TABLE notes DROP COLUMN IF EXISTS search_fts",
    f"CREATE INDEX ix_notes_fts ON notes USING GIN (({_PG_VECTOR}))",
]


# The circle column: external content must be readable by column name, circle_key included,
# so the content table is a view over notes.
_SQLITE_WITH_CIRCLE = [
    """
    CREATE VIEW notes_fts_source AS
    SELECT id, title, tags_text, body, 'circle' || circle_id AS circle_key FROM notes
    """,
    """
    CREATE VIRTUAL TABLE notes_fts USING fts5(
        title, tags_text, body, circle_key,
        content='notes_fts_source', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER notes_fts_after_insert AFTER INSERT ON notes BEGIN
        INSERT INTO notes_fts(rowid, title, tags_text, body, circle_key)
        VALUES (new.id, new.title, new.tags_text, new.body, 'circle' || new.circle_id);
    END
    """,
    """
    CREATE TRIGGER notes_fts_after_delete AFTER DELETE ON notes BEGIN
        INSERT INTO notes_fts(notes_fts, rowid, title, tags_text, body, circle_key)
        VALUES ('delete', old.id, old.title, old.tags_text, old.body, 'circle' || old.circle_id);
    END
    """,
    """
    CREATE TRIGGER notes_fts_after_update AFTER UPDATE OF title, tags_text, body, circle_id
    ON notes BEGIN
        INSERT INTO notes_fts(notes_fts, rowid, title, tags_text, body, circle_key)
        VALUES ('delete', old.id, old.title, old.tags_text, old.body, 'circle' || old.circle_id);
        INSERT INTO notes_fts(rowid, title, tags_text, body, circle_key)
        VALUES (new.id, new.title, new.tags_text, new.body, 'circle' || new.circle_id);
    END
    """,
    # Index the notes that already exist.
    "INSERT INTO notes_fts(notes_fts) VALUES ('rebuild')",
]

# 0004's table and triggers, for the downgrade.
_SQLITE_0004 = [
    """
    CREATE VIRTUAL TABLE notes_fts USING fts5(
        title, tags_text, body,
        content='notes', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER notes_fts_after_insert AFTER INSERT ON notes BEGIN
        INSERT INTO notes_fts(rowid, title, tags_text, body)
        VALUES (new.id, new.title, new.tags_text, new.body);
    END
    """,
    """
    CREATE TRIGGER notes_fts_after_delete AFTER DELETE ON notes BEGIN
        INSERT INTO notes_fts(notes_fts, rowid, title, tags_text, body)
        VALUES ('delete', old.id, old.title, old.tags_text, old.body);
    END
    """,
    """
    CREATE TRIGGER notes_fts_after_update AFTER UPDATE OF title, tags_text, body ON notes BEGIN
        INSERT INTO notes_fts(notes_fts, rowid, title, tags_text, body)
        VALUES ('delete', old.id, old.title, old.tags_text, old.body);
        INSERT INTO notes_fts(rowid, title, tags_text, body)
        VALUES (new.id, new.title, new.tags_text, new.body);
    END
    """,
    "INSERT INTO notes_fts(notes_fts) VALUES ('rebuild')",
]


def _drop_sqlite_search() -> None:
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS notes_fts_after_{trigger}")
    op.execute("DROP TABLE IF EXISTS notes_fts")
    op.execute("DROP VIEW IF EXISTS notes_fts_source")


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in _PG_UPGRADE:
            op.execute(statement)
    elif dialect == "sqlite":
        _drop_sqlite_search()
        for statement in _SQLITE_WITH_CIRCLE:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in _PG_DOWNGRADE:
            op.execute(statement)
    elif dialect == "sqlite":
        _drop_sqlite_search()
        for statement in _SQLITE_0004:
            op.execute(statement)
