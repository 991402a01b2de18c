"""Build the notes' full-text index once after the bulk insert, instead of row by row.

Migration 0004 keeps the index in step on every insert: SQLite by a trigger that writes each new
note into ``notes_fts``, PostgreSQL by the GIN expression index ``ix_notes_fts``.  For a bulk
load it is cheaper to set that aside and build the index in one go.  The DDL is read back from
the database itself before it is dropped and replayed unchanged afterwards, so the end state is
exactly what the migrations leave (the index holds every note either way).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Connection

SQLITE_TRIGGER = "notes_fts_after_insert"
PG_INDEX = "ix_notes_fts"


@contextmanager
def search_index_built_afterwards(conn: Connection) -> Iterator[None]:
    """Drop the per-row index maintenance inside the block; rebuild the index at its end."""
    if conn.dialect.name == "sqlite":
        ddl = conn.scalar(
            text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
            {"name": SQLITE_TRIGGER},
        )
        conn.execute(text(f"DROP TRIGGER {SQLITE_TRIGGER}"))
        yield
        conn.execute(text("INSERT INTO notes_fts(notes_fts) VALUES ('rebuild')"))
        conn.execute(text(ddl))
    elif conn.dialect.name == "postgresql":
        ddl = conn.scalar(
            text("SELECT pg_get_indexdef(CAST(:name AS regclass))"), {"name": PG_INDEX}
        )
        conn.execute(text(f"DROP INDEX {PG_INDEX}"))
        yield
        # Room to sort the whole GIN build in memory; for this transaction only.
        conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        conn.execute(text(ddl))
    else:
        yield
