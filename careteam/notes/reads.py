"""Per-member read markers: which version of each note a member has read.

A note is unread for a member when they have no marker or their marker is older than the note's
version, so an edit by someone else shows the note as updated again.
"""

from __future__ import annotations

import functools
from typing import Any

from .. import audit
from ..clock import utcnow
from ..database import short_write
from ..extensions import db
from .models import Note, NoteRead


@functools.cache
def _upsert_read(dialect: str) -> Any:
    # Built once per database, the marker's values passed as parameters: building the upsert
    # cost more than writing the row (every note view writes one).
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(NoteRead)
    return stmt.on_conflict_do_update(
        index_elements=["note_id", "user_id"],
        set_={"seen_version": stmt.excluded.seen_version, "read_at": stmt.excluded.read_at},
    )


def _marker(note_id: int, user_id: int, version: int) -> dict[str, Any]:
    return {"note_id": note_id, "user_id": user_id, "seen_version": version, "read_at": utcnow()}


def mark_read_in_session(note: Note, user_id: int) -> None:
    """Mark a note read in the current transaction (after its author or editor saved it)."""
    upsert = _upsert_read(db.engine.dialect.name)
    db.session.execute(upsert, _marker(note.id, user_id, note.version))


def mark_read_on(conn: Any, note_id: int, user_id: int, version: int) -> None:
    """Mark a note read on ``conn``, a :func:`careteam.database.short_write` connection."""
    conn.execute(_upsert_read(conn.dialect.name), _marker(note_id, user_id, version))


def record_view(circle: Any, membership: Any, note: Note) -> None:
    """Audit a member's view of a note and mark it read, after the read, in one short write
    transaction: the page holds SQLite's write lock only for these two rows (DESIGN.md 5)."""
    with short_write() as conn:
        audit.record_on(
            conn,
            "note.viewed",
            circle_id=circle.id,
            object_type="note",
            object_id=note.public_id,
            actor_id=membership.user_id,
            **note.audit_stamp,
        )
        mark_read_on(conn, note.id, membership.user_id, note.version)
