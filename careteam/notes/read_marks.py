"""Per-member read marks: which version of each note a member has read.

A note is unread for a member when they have no mark or their mark is older than the note's
version, so an edit by someone else shows the note as updated again.  A note view writes its
mark with its audit row, in one short write transaction after the read.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from .. import audit
from ..db.clock import utcnow
from ..db.engine import short_write
from ..db.prebuilt import prebuilt
from ..extensions import db
from .models import Note, NoteRead


def _upsert_read(dialect: str) -> Any:
    """The upsert of a read mark for ``dialect``, built once per app."""
    return prebuilt(("note read upsert", dialect), lambda: _build_upsert_read(dialect))


def _build_upsert_read(dialect: str) -> Any:
    """Insert the mark, or move an existing one to its version (both databases say
    ``ON CONFLICT ... DO UPDATE``, each through its own dialect's insert).  Prebuilt
    (:mod:`careteam.db.prebuilt`), the mark passed at execution: every note view writes one, and
    building the upsert cost more than writing the row."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(NoteRead)
    return stmt.on_conflict_do_update(
        index_elements=["note_id", "user_id"],
        set_={"seen_version": stmt.excluded.seen_version, "read_at": stmt.excluded.read_at},
    )


def _mark(note_id: int, user_id: int, version: int) -> dict[str, Any]:
    return {"note_id": note_id, "user_id": user_id, "seen_version": version, "read_at": utcnow()}


def mark_read_in_session(note: Note, user_id: int) -> None:
    """Mark a note read in the current transaction (after its author or editor saved it)."""
    upsert = _upsert_read(db.engine.dialect.name)
    db.session.execute(upsert, _mark(note.id, user_id, note.version))


def mark_read_on(conn: Any, note_id: int, user_id: int, version: int) -> None:
    """Mark a note read on ``conn``, a :func:`careteam.db.engine.short_write` connection."""
    conn.execute(_upsert_read(conn.dialect.name), _mark(note_id, user_id, version))


def record_view(membership: Any, note: Note) -> None:
    """Audit a member's view of a note and mark it read, after the read, in one short write
    transaction: the page holds SQLite's write lock only for these two rows (DESIGN.md 5)."""
    with short_write() as conn:
        audit.record_on(conn, "note.viewed", actor_id=membership.user_id, **note.audit_subject)
        mark_read_on(conn, note.id, membership.user_id, note.version)
