"""The notes' part of the circle export: every note the exporter may read, with its visible
revisions and its comments, plus the ones in the trash they could restore.

Three queries whatever the number of notes: notes, revisions, comments.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from ..audience import visible_clause
from ..auth.models import User
from ..db.clock import utcnow
from ..extensions import db
from ..permissions import member_can
from ..registries import ExportSection, SectionContent
from .models import Note, NoteComment, NoteRevision, split_tags
from .trash import TRASH_DAYS

NOTE_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "author",
    "category",
    "audience",
    "title",
    "body",
    "tags",
    "pinned",
    "version",
    "deleted_at",
)


def _notes(circle: Any, membership: Any) -> list[Any]:
    # Live notes they may read; deleted ones only as the trash page would list them.
    in_trash = and_(
        Note.deleted_at.is_not(None), Note.deleted_at >= utcnow() - timedelta(TRASH_DAYS)
    )
    if not member_can(membership, "notes.moderate"):
        in_trash = and_(in_trash, Note.author_id == membership.user_id)
    author = aliased(User)
    return list(
        db.session.execute(
            select(Note, author.display_name.label("author_name"))
            .outerjoin(author, author.id == Note.author_id)
            .where(
                Note.circle_id == circle.id,
                visible_clause(Note.audience, Note.author_id, membership),
                or_(Note.deleted_at.is_(None), in_trash),
            )
            .order_by(Note.created_at, Note.id)
        ).all()
    )


def _revisions(note_ids: list[int], membership: Any) -> dict[int, list[dict[str, Any]]]:
    editor = aliased(User)
    rows = db.session.execute(
        select(NoteRevision, editor.display_name.label("editor_name"))
        .join(Note, Note.id == NoteRevision.note_id)
        .outerjoin(editor, editor.id == NoteRevision.edited_by_id)
        .where(
            NoteRevision.note_id.in_(note_ids),
            # A version once addressed to a narrower audience stays out, as on the history page.
            visible_clause(NoteRevision.audience, Note.author_id, membership),
        )
        .order_by(NoteRevision.note_id, NoteRevision.version)
    )
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for revision, editor_name in rows:
        found[revision.note_id].append(
            {
                "version": revision.version,
                "saved_at": revision.created_at,
                "edited_by": editor_name or "A former member",
                "title": revision.title,
                "body": revision.body,
                "category": revision.category,
                "audience": revision.audience,
                "tags": split_tags(revision.tags_text),
            }
        )
    return found


def _comments(note_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    rows = db.session.execute(
        select(NoteComment, User.display_name)
        .outerjoin(User, User.id == NoteComment.author_id)
        .where(NoteComment.note_id.in_(note_ids))
        .order_by(NoteComment.note_id, NoteComment.created_at, NoteComment.id)
    )
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for comment, name in rows:
        found[comment.note_id].append(
            {
                "id": comment.public_id,
                "author": name or "A former member",
                "created_at": comment.created_at,
                "body": comment.body,
            }
        )
    return found


def build_notes_section(circle: Any, membership: Any, **_: Any) -> SectionContent:
    rows = _notes(circle, membership)
    ids = [note.id for note, _name in rows]
    revisions = _revisions(ids, membership) if ids else {}
    comments = _comments(ids) if ids else {}
    notes = []
    for note, author_name in rows:
        notes.append(
            {
                "id": note.public_id,
                "created_at": note.created_at,
                "updated_at": note.updated_at,
                "author": author_name or "A former member",
                "category": note.category,
                "audience": note.audience,
                "title": note.title,
                "body": note.body,
                "tags": split_tags(note.tags_text),
                "pinned": note.pinned,
                "version": note.version,
                "deleted_at": note.deleted_at,
                "revisions": revisions.get(note.id, []),
                "comments": comments.get(note.id, []),
            }
        )
    table = [[n[c] if c != "tags" else ", ".join(n["tags"]) for c in NOTE_COLUMNS] for n in notes]
    return SectionContent(data=notes, tables={"notes.csv": (NOTE_COLUMNS, table)})


SECTION = ExportSection(
    "notes", "Care notes, with their earlier versions and comments", build_notes_section, order=20
)
