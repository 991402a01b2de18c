"""The care notes journal: notes, their revisions, tags, comments, read markers and handoff acks.

Full-text search lives outside the mapped columns on purpose: SQLite keeps an FTS5 table
``notes_fts`` (external content with a per-circle key, kept in sync by triggers) and PostgreSQL a
stored generated ``notes.search_fts`` tsvector with a (circle_id, search_fts) GIN index
``ix_notes_fts``.  Both are created by hand in migrations 0004 and 0007 because their DDL is
backend-specific; :mod:`careteam.notes.search` queries them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .. import audit
from ..db.clock import utcnow
from ..db.types import UTCDateTime, new_public_id
from ..extensions import db

TAG_SEPARATOR = "\n"  # tags cannot contain control characters, so a newline never clashes


class Category(StrEnum):
    """What a note is about; the notes page filters by it."""

    UPDATE = "update"
    SYMPTOMS = "symptoms"
    MEDICATION = "medication"
    MOOD_ENERGY = "mood_energy"
    SHIFT_HANDOFF = "shift_handoff"
    DOCTOR_QUESTION = "doctor_question"


CATEGORY_LABELS: dict[Category, str] = {
    Category.UPDATE: "Update",
    Category.SYMPTOMS: "Symptoms",
    Category.MEDICATION: "Medication",
    Category.MOOD_ENERGY: "Mood & energy",
    Category.SHIFT_HANDOFF: "Shift handoff",
    Category.DOCTOR_QUESTION: "Question for the doctor",
}


class Note(db.Model):
    """One entry in a circle's journal; ``audience`` decides who may ever see it."""

    __tablename__ = "notes"
    __table_args__ = (
        # The feed's keyset order: pinned first, newest first.
        Index("ix_notes_feed", "circle_id", "pinned", "created_at", "id"),
        Index("ix_notes_circle_category", "circle_id", "category", "created_at"),
        Index("ix_notes_circle_author", "circle_id", "author_id", "created_at"),
        Index("ix_notes_circle_deleted", "circle_id", "deleted_at"),
        # Newest first regardless of pinning: the home page's "Recent notes" (migration 0008).
        Index("ix_notes_circle_recent", "circle_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    # Plain-text start of the body, computed on save, so the feed never loads whole bodies.
    excerpt: Mapped[str] = mapped_column(String(300), default="")
    category: Mapped[str] = mapped_column(String(20), default=Category.UPDATE.value)
    # Tags joined by TAG_SEPARATOR for display and search; NoteTag rows serve the filter.
    tags_text: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(20))
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    # Optimistic edits: a save names the version it started from.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    @property
    def tags(self) -> list[str]:
        return split_tags(self.tags_text)

    @property
    def audit_subject(self) -> dict[str, Any]:
        """This note as an audit row names it, with its audience (see careteam.audit)."""
        return audit.subject("note", self.public_id, self.circle_id, self.audience, self.author_id)


# Every audit row about a note carries the note's audience, or recording it raises.
audit.register_audience_type("note")


def split_tags(tags_text: str | None) -> list[str]:
    """Return the tags stored in a ``tags_text`` value."""
    return [t for t in (tags_text or "").split(TAG_SEPARATOR) if t]


class NoteRevision(db.Model):
    """A saved version of a note; every save adds one, so no edit loses earlier text."""

    __tablename__ = "note_revisions"
    __table_args__ = (UniqueConstraint("note_id", "version", name="uq_note_revisions_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20))
    tags_text: Mapped[str] = mapped_column(Text, default="")
    # Kept per revision: a note drafted privately must not leak through its history later.
    audience: Mapped[str] = mapped_column(String(20))
    edited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NoteTag(db.Model):
    """One free tag on one note (for the feed's tag filter)."""

    __tablename__ = "note_tags"
    __table_args__ = (
        UniqueConstraint("note_id", "tag", name="uq_note_tags_note_tag"),
        Index("ix_note_tags_circle_tag", "circle_id", "tag", "note_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(50))


class NoteComment(db.Model):
    """A plain-text reply under a note; visible to exactly the note's audience."""

    __tablename__ = "note_comments"
    __table_args__ = (Index("ix_note_comments_note", "note_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NoteRead(db.Model):
    """The version of a note a member last read; older or missing means "unread"."""

    __tablename__ = "note_reads"
    __table_args__ = (
        UniqueConstraint("note_id", "user_id", name="uq_note_reads_note_user"),
        Index("ix_note_reads_user", "user_id", "note_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    seen_version: Mapped[int] = mapped_column(Integer, default=1)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NoteAcknowledgement(db.Model):
    """A member's "seen by" confirmation that they read a shift handoff."""

    __tablename__ = "note_acknowledgements"
    __table_args__ = (UniqueConstraint("note_id", "user_id", name="uq_note_acks_note_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
