"""The trash: deleted notes wait here for :data:`TRASH_DAYS` days, then go for good.

The author and moderators move a note to the trash and restore it; ``careteam purge-trash``
deletes what has waited longer.  Each change adds its audit row to the caller's transaction.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select

from .. import audit
from ..db.clock import utcnow
from ..extensions import db
from ..permissions import member_can
from .models import Note
from .service import NoteError, can_edit, visible

TRASH_DAYS = 30


def delete_note(note: Note, membership: Any) -> None:
    """Move a note to the trash (the author and moderators)."""
    if not can_edit(note, membership):
        raise NoteError("Only the author or a coordinator can delete this note.")
    note.deleted_at = utcnow()
    note.deleted_by_id = membership.user_id
    audit.record("note.deleted", actor_id=membership.user_id, **note.audit_subject)


def can_restore(note: Note, membership: Any) -> bool:
    """The author or a moderator who can see the note, within the trash period."""
    if note.deleted_at is None or not visible(note, membership):
        return False
    if note.deleted_at < utcnow() - timedelta(days=TRASH_DAYS):
        return False
    return note.author_id == membership.user_id or member_can(membership, "notes.moderate")


def restore_note(note: Note, membership: Any) -> None:
    """Bring a note back from the trash."""
    if not can_restore(note, membership):
        raise NoteError("This note can no longer be restored.")
    note.deleted_at = None
    note.deleted_by_id = None
    audit.record("note.restored", actor_id=membership.user_id, **note.audit_subject)


def purge_trash(now: Any = None) -> int:
    """Delete for good every note that has been in the trash longer than the trash period."""
    cutoff = (now or utcnow()) - timedelta(days=TRASH_DAYS)
    doomed = db.session.execute(
        select(Note.id, Note.public_id, Note.circle_id, Note.audience, Note.author_id).where(
            Note.deleted_at.is_not(None), Note.deleted_at < cutoff
        )
    ).all()
    if not doomed:
        return 0
    for row in doomed:
        audit.record(
            "note.purged",
            circle_id=row.circle_id,
            object_type="note",
            object_id=row.public_id,
            object_audience=row.audience,
            object_author_id=row.author_id,
        )
    # Child rows go with the note (ON DELETE CASCADE); SQLite's triggers update notes_fts.
    db.session.execute(delete(Note).where(Note.id.in_([row.id for row in doomed])))
    return len(doomed)
