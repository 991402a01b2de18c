"""Audience-aware reads for pages: the feed, unread counts, the trash, comments and history.

Each function selects the columns its page shows and costs a fixed number of queries however
many notes a circle has.  Every query that returns notes carries the audience rule
(:func:`careteam.audience.visible_clause`, or :func:`~careteam.audience.visible_to` where the
reader is a parameter).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Row,
    ScalarSelect,
    Select,
    String,
    bindparam,
    exists,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.orm import aliased

from ..audience import visible_clause, visible_to
from ..auth.models import User
from ..circles.models import Circle, Membership
from ..db.clock import utcnow
from ..db.prebuilt import prebuilt
from ..db.types import UTCDateTime
from ..extensions import db
from ..permissions import member_can
from .models import Note, NoteAcknowledgement, NoteComment, NoteRead, NoteRevision, NoteTag
from .trash import TRASH_DAYS

PAGE_SIZE = 25
# Unread counts stop at this many rows, so a member back after months does not make the page
# count ten thousand notes: they see "99+" (see :func:`unread_text`).
UNREAD_SHOWN_MAX = 99


@dataclass(frozen=True)
class FeedFilters:
    category: str | None = None
    tag: str | None = None
    author_id: int | None = None


@dataclass(frozen=True)
class FeedPage:
    rows: list[Row[Any]]
    next_cursor: str | None
    unread: int = 0  # capped: see unread_text


class BadCursor(ValueError):
    """The cursor in the URL was not one we made."""


def encode_cursor(pinned: bool, created_at: datetime, note_id: int) -> str:
    raw = f"{int(pinned)}|{created_at.isoformat()}|{note_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[bool, datetime, int]:
    """Return (pinned, created_at, id) from a cursor, or raise :class:`BadCursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        pinned, created, note_id = raw.split("|")
        when = datetime.fromisoformat(created)
        if when.tzinfo is None or pinned not in {"0", "1"}:
            raise ValueError(cursor)
        return pinned == "1", when, int(note_id)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise BadCursor(cursor) from error


def _live_visible(
    circle_id: Any, role: str, user_id: Any, note: Any = Note
) -> list[ColumnElement[bool]]:
    return [
        note.circle_id == circle_id,
        note.deleted_at.is_(None),
        visible_to(note.audience, note.author_id, role, user_id),
    ]


def _unread(user_id: Any, note: Any = Note) -> ColumnElement[bool]:
    """Whether the member ``user_id`` has not read ``note`` at its current version.

    The read mark is looked up per note (a correlated subquery on the (note, user) unique
    index) rather than outer-joined: PostgreSQL's generic plan for a prepared statement
    expects a member to have read a few dozen notes, and for one who had read thousands it
    joined by rescanning all their marks for every note.  Versions start at 1, so a missing
    mark counts as 0.
    """
    seen = (
        select(NoteRead.seen_version)
        .where(NoteRead.note_id == note.id, NoteRead.user_id == user_id)
        .correlate(note)
        .scalar_subquery()
    )
    return func.coalesce(seen, 0) < note.version


# A module-level alias, like the mapped class it stands for: aliasing a class copies every
# column, work worth doing once rather than on every page that counts unread notes.
_UNREAD_NOTE = aliased(Note, name="unread_note")


def _unread_count_capped(circle_id: Any, role: str, user_id: Any) -> ScalarSelect[int]:
    """Count unread notes up to one more than :data:`UNREAD_SHOWN_MAX` (a scalar subquery).

    An aliased table, so it can sit in the select list of a query over ``notes`` without
    being correlated to it.
    """
    note = _UNREAD_NOTE
    unread = (
        select(note.id)
        .where(*_live_visible(circle_id, role, user_id, note), _unread(user_id, note))
        # Newest first, so both databases walk the circle's recent-notes index and look each
        # note's read mark up; unordered, PostgreSQL merge-joined on the primary key and
        # walked the notes of other circles too.
        .order_by(note.created_at.desc(), note.id.desc())
        .limit(UNREAD_SHOWN_MAX + 1)
        .subquery()
    )
    return select(func.count()).select_from(unread).scalar_subquery()


def unread_text(count: int) -> str:
    """Show an unread count the way pages do: "99+" once it reaches the cap."""
    return f"{UNREAD_SHOWN_MAX}+" if count > UNREAD_SHOWN_MAX else str(count)


def feed_page(
    circle: Circle,
    membership: Any,
    filters: FeedFilters | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> FeedPage:
    """Return one page of the feed: pinned first, then newest first, with the member's unread
    count (capped; see :func:`unread_text`) -- one query."""
    filters = filters or FeedFilters()
    values: dict[str, Any] = {
        "circle_id": circle.id,
        "user_id": membership.user_id,
        "limit": limit + 1,
        "category": filters.category,
        "author_id": filters.author_id,
        "tag": filters.tag,
    }
    if cursor:
        pinned, created_at, note_id = decode_cursor(cursor)
        values.update(after_pinned=pinned, after_created_at=created_at, after_id=note_id)
    shape = _FeedShape(
        membership.role,
        bool(filters.category),
        filters.author_id is not None,
        bool(filters.tag),
        bool(cursor),
    )
    stmt = prebuilt(shape, lambda: _feed_statement(shape))
    rows = list(db.session.execute(stmt, values).all())
    # The count rides on every row; a page past the last note has none to carry it.
    unread = rows[0].unread_total if rows else unread_count(circle, membership)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(last.pinned, last.created_at, last.id)
    return FeedPage(rows=rows, next_cursor=next_cursor, unread=unread)


@dataclass(frozen=True)
class _FeedShape:
    """What changes the feed's SQL: the reader's role (the audiences it sees) and the filters
    in use.  Their values, the circle and the reader are parameters."""

    role: str
    by_category: bool
    by_author: bool
    by_tag: bool
    after: bool


def _feed_statement(shape: _FeedShape) -> Select[Any]:
    """Select the feed's notes the reader may see, newest first, with their values (circle,
    reader, filters, cursor, limit) as named parameters.

    Prebuilt (:mod:`careteam.db.prebuilt`): building and keying this nested statement costs a
    good part of the feed page's time.
    """
    circle_id = bindparam("circle_id", type_=Integer)
    user_id = bindparam("user_id", type_=Integer)
    comment_count = (
        select(func.count(NoteComment.id))
        .where(NoteComment.note_id == Note.id)
        .correlate(Note)
        .scalar_subquery()
    )
    stmt = (
        select(
            Note.id,
            Note.public_id,
            Note.title,
            Note.excerpt,
            Note.category,
            Note.tags_text,
            Note.audience,
            Note.pinned,
            Note.created_at,
            Note.updated_at,
            Note.version,
            Note.author_id,
            User.display_name.label("author_name"),
            _unread(user_id).label("unread"),
            comment_count.label("comment_count"),
            # Not correlated with the page's notes: both databases run it once per query.
            _unread_count_capped(circle_id, shape.role, user_id).label("unread_total"),
        )
        .outerjoin(User, User.id == Note.author_id)
        .where(*_live_visible(circle_id, shape.role, user_id))
    )
    if shape.by_category:
        stmt = stmt.where(Note.category == bindparam("category", type_=String))
    if shape.by_author:
        stmt = stmt.where(Note.author_id == bindparam("author_id", type_=Integer))
    if shape.by_tag:
        stmt = stmt.where(
            exists().where(
                NoteTag.note_id == Note.id,
                NoteTag.circle_id == circle_id,
                NoteTag.tag == bindparam("tag", type_=String),
            )
        )
    if shape.after:
        after = (
            bindparam("after_pinned", type_=Boolean),
            bindparam("after_created_at", type_=UTCDateTime()),
            bindparam("after_id", type_=Integer),
        )
        stmt = stmt.where(tuple_(Note.pinned, Note.created_at, Note.id) < tuple_(*after))
    order = (Note.pinned.desc(), Note.created_at.desc(), Note.id.desc())
    return stmt.order_by(*order).limit(bindparam("limit", type_=Integer, literal_execute=True))


@dataclass(frozen=True)
class RecentNotes:
    rows: list[Row[Any]]
    unread: int  # capped: see unread_text


def recent_notes(circle: Circle, membership: Any, limit: int = 5) -> RecentNotes:
    """Return the newest notes the member may see and their unread count (for the circle home
    page), in one query: the count rides along as a column of every row."""
    role = membership.role
    stmt = prebuilt(("recent notes", role, limit), lambda: _recent_notes_statement(role, limit))
    values = {"circle_id": circle.id, "user_id": membership.user_id}
    rows = list(db.session.execute(stmt, values).all())
    # No visible note at all means nothing unread either.
    return RecentNotes(rows=rows, unread=rows[0].unread_total if rows else 0)


def _recent_notes_statement(role: str, limit: int) -> Select[Any]:
    """The home page's newest notes with the unread count; circle and reader are parameters.
    Prebuilt (:mod:`careteam.db.prebuilt`), like the other statements of the circle home page."""
    reader = (bindparam("circle_id", type_=Integer), role, bindparam("user_id", type_=Integer))
    return (
        select(
            Note.public_id,
            Note.title,
            Note.category,
            Note.created_at,
            User.display_name.label("author_name"),
            _unread_count_capped(*reader).label("unread_total"),
        )
        .outerjoin(User, User.id == Note.author_id)
        .where(*_live_visible(*reader))
        .order_by(Note.created_at.desc(), Note.id.desc())
        .limit(limit)
    )


def unread_count(circle: Circle, membership: Any) -> int:
    """Count the notes the member may see and has not read at their current version, up to
    one more than :data:`UNREAD_SHOWN_MAX`."""
    count = _unread_count_capped(circle.id, membership.role, membership.user_id)
    return db.session.scalar(select(count)) or 0


def circle_authors(circle: Circle) -> list[Row[Any]]:
    """Return the circle's members (public id, name) for the author filter."""
    members = select(User.id, User.public_id, User.display_name).join(
        Membership, Membership.user_id == User.id
    )
    stmt = members.where(Membership.circle_id == circle.id).order_by(User.display_name, User.id)
    return list(db.session.execute(stmt).all())


def trash(circle: Circle, membership: Any) -> list[Row[Any]]:
    """Return deleted notes this member could read and may restore, newest deletion first."""
    cutoff = utcnow() - timedelta(days=TRASH_DAYS)
    stmt = (
        select(
            Note.public_id,
            Note.title,
            Note.excerpt,
            Note.category,
            Note.audience,
            Note.deleted_at,
            User.display_name.label("author_name"),
        )
        .outerjoin(User, User.id == Note.author_id)
        .where(
            Note.circle_id == circle.id,
            Note.deleted_at.is_not(None),
            Note.deleted_at >= cutoff,
            visible_clause(Note.audience, Note.author_id, membership),
        )
        .order_by(Note.deleted_at.desc(), Note.id.desc())
    )
    if not member_can(membership, "notes.moderate"):
        stmt = stmt.where(Note.author_id == membership.user_id)
    return list(db.session.execute(stmt).all())


def author_name(user_id: int | None) -> str:
    if user_id is None:
        return "A former member"
    return db.session.scalar(select(User.display_name).where(User.id == user_id)) or ""


def comments(note: Note) -> list[Row[Any]]:
    stmt = (
        select(
            NoteComment.public_id,
            NoteComment.body,
            NoteComment.created_at,
            User.display_name.label("author_name"),
        )
        .outerjoin(User, User.id == NoteComment.author_id)
        .where(NoteComment.note_id == note.id)
        .order_by(NoteComment.created_at, NoteComment.id)
    )
    return list(db.session.execute(stmt).all())


def acknowledgements(note: Note) -> list[Row[Any]]:
    stmt = (
        select(NoteAcknowledgement.user_id, NoteAcknowledgement.acknowledged_at, User.display_name)
        .join(User, User.id == NoteAcknowledgement.user_id)
        .where(NoteAcknowledgement.note_id == note.id)
        .order_by(NoteAcknowledgement.acknowledged_at, NoteAcknowledgement.id)
    )
    return list(db.session.execute(stmt).all())


def revisions(note: Note, membership: Any) -> list[Row[Any]]:
    """Return the note's saved versions, newest first, leaving out any the member may not see."""
    stmt = (
        select(
            NoteRevision.version,
            NoteRevision.title,
            NoteRevision.body,
            NoteRevision.category,
            NoteRevision.tags_text,
            NoteRevision.audience,
            NoteRevision.created_at,
            User.display_name.label("editor_name"),
        )
        .outerjoin(User, User.id == NoteRevision.edited_by_id)
        .where(
            NoteRevision.note_id == note.id,
            visible_clause(NoteRevision.audience, literal(note.author_id), membership),
        )
        .order_by(NoteRevision.version.desc())
    )
    return list(db.session.execute(stmt).all())
