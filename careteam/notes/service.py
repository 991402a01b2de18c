"""Rules for writing notes: who may change what, revisions, pins, comments, handoffs.

Every function that changes data adds its audit row to the caller's transaction; the caller
commits.  Reads that decide visibility go through :mod:`careteam.audience` only.  Deleting,
restoring and purging are in :mod:`.trash`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select, update

from .. import audit
from ..audience import (
    Audience,
    AudienceChangeRefused,
    can_see,
    check_audience_change,
    choosable_audiences,
    editor_standing,
    visible_clause,
)
from ..auth.models import User
from ..circles.models import Circle
from ..db.clock import utcnow
from ..extensions import db
from ..permissions import member_can
from ..plugins.events import emit
from ..refusals import Refusal
from .markdown import excerpt
from .models import (
    TAG_SEPARATOR,
    Category,
    Note,
    NoteAcknowledgement,
    NoteComment,
    NoteRead,
    NoteRevision,
    NoteTag,
)
from .read_marks import mark_read_in_session

SETTING_DEFAULT_AUDIENCE = "default_note_audience"
FALLBACK_AUDIENCE = Audience.CARE_TEAM


class NoteError(Refusal):
    """A rule about notes refused the change."""


class StaleEdit(Exception):
    """Someone saved a newer version since the editor opened the form."""

    def __init__(self, current: Note) -> None:
        super().__init__("stale edit")
        self.current = current


# --- settings --------------------------------------------------------------------------------


def default_audience(circle: Circle) -> str:
    """Return the audience new notes in ``circle`` start with."""
    value = (circle.settings or {}).get(SETTING_DEFAULT_AUDIENCE)
    return value if value in {a.value for a in Audience} else FALLBACK_AUDIENCE.value


def set_default_audience(circle: Circle, audience: str, actor_id: int) -> None:
    """Change the circle's default note audience."""
    audience = Audience(audience).value
    # JSON columns do not track in-place changes: assign a new dict.
    circle.settings = {**(circle.settings or {}), SETTING_DEFAULT_AUDIENCE: audience}
    audit.record(
        "circle.settings_changed",
        actor_id=actor_id,
        details={SETTING_DEFAULT_AUDIENCE: audience},
        **circle.audit_subject,
    )


# --- permissions -----------------------------------------------------------------------------


def visible(note: Note, membership: Any) -> bool:
    return can_see(note.audience, note.author_id, membership)


def can_edit(note: Note, membership: Any) -> bool:
    """The author and moderators may change a note they can see."""
    if not visible(note, membership) or not member_can(membership, "notes.write"):
        return False
    return note.author_id == membership.user_id or member_can(membership, "notes.moderate")


def can_comment(note: Note, membership: Any) -> bool:
    return visible(note, membership) and member_can(membership, "notes.comment")


def can_acknowledge(note: Note, membership: Any) -> bool:
    return (
        note.category == Category.SHIFT_HANDOFF
        and visible(note, membership)
        and member_can(membership, "notes.write")
    )


def get_visible_note(
    circle: Circle, membership: Any, public_id: str, *, deleted: bool = False
) -> Note | None:
    """Return the note if ``membership`` may see it (in the trash when ``deleted``), else None."""
    visible = _visible_note(circle, membership, public_id, deleted)
    return db.session.scalar(select(Note).where(*visible))


def get_visible_note_and_author(
    circle: Circle, membership: Any, public_id: str
) -> tuple[Note, str] | None:
    """Return a live note the member may see with its author's name (read in the same query;
    "A former member" once the author's account is gone), else None."""
    stmt = (
        select(Note, User.display_name)
        .outerjoin(User, User.id == Note.author_id)
        .where(*_visible_note(circle, membership, public_id, False))
    )
    row = db.session.execute(stmt).first()
    if row is None:
        return None
    note, name = row
    return note, (name or "") if note.author_id is not None else "A former member"


def _visible_note(circle: Circle, membership: Any, public_id: str, deleted: bool) -> tuple:
    return (
        Note.circle_id == circle.id,
        Note.public_id == public_id,
        visible_clause(Note.audience, Note.author_id, membership),
        Note.deleted_at.is_not(None) if deleted else Note.deleted_at.is_(None),
    )


# --- tags ------------------------------------------------------------------------------------

MAX_TAGS = 20
MAX_TAG_LENGTH = 50


def parse_tags(text: str | None) -> list[str]:
    """Split comma-separated tags, trimming spaces and dropping repeats (order kept)."""
    tags: list[str] = []
    for part in (text or "").split(","):
        tag = part.strip()
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise NoteError(f"Use at most {MAX_TAGS} tags.", field="tags")
    if any(len(t) > MAX_TAG_LENGTH for t in tags):
        raise NoteError(f"Keep each tag under {MAX_TAG_LENGTH} characters.", field="tags")
    return tags


def _replace_tags(note: Note, tags: Iterable[str]) -> None:
    db.session.execute(delete(NoteTag).where(NoteTag.note_id == note.id))
    rows = [{"note_id": note.id, "circle_id": note.circle_id, "tag": t} for t in tags]
    if rows:
        db.session.execute(insert(NoteTag), rows)


def _add_revision(note: Note, editor_id: int) -> None:
    db.session.add(
        NoteRevision(
            note_id=note.id,
            version=note.version,
            title=note.title,
            body=note.body,
            category=note.category,
            tags_text=note.tags_text,
            audience=note.audience,
            edited_by_id=editor_id,
            created_at=note.updated_at,
        )
    )


def writable_audiences(membership: Any) -> list[str]:
    """Return the audiences a member may write a new note to: those that include the writer.

    The audience model does not let authors read their own notes outside its audience (a family
    member cannot read a "coordinators" note), so offering it would make notes vanish for them.
    """
    return choosable_audiences(membership)


# Notes are creator-only: a moderator may fix someone's words, but who reads them stays the
# author's choice (widening would show them to people the author did not write for).
NOTE_AUDIENCE_RULE: dict[str, Any] = {"creator_only": True, "noun": "note"}


def _check_audience_change(note: Note, membership: Any, audience: str) -> None:
    try:
        check_audience_change(
            note.audience,
            audience,
            **NOTE_AUDIENCE_RULE,
            **editor_standing(membership, note.author_id),
        )
    except AudienceChangeRefused as refused:
        raise NoteError(str(refused), field=refused.field) from refused


def default_audience_for(circle: Circle, membership: Any) -> str:
    """Return the circle's default audience, or the care team if the writer is not in it."""
    audience = default_audience(circle)
    return audience if audience in writable_audiences(membership) else Audience.CARE_TEAM.value


def _check_tags(tags: list[str]) -> None:
    # Tags are stored joined by TAG_SEPARATOR; callers other than the form must not smuggle it in.
    if any(not t or TAG_SEPARATOR in t or len(t) > MAX_TAG_LENGTH for t in tags):
        raise NoteError("Tags must be short single lines.", field="tags")


def _check_choices(category: str, audience: str, membership: Any) -> None:
    if category not in {c.value for c in Category}:
        raise NoteError("Choose a category from the list.", field="category")
    if audience not in writable_audiences(membership):
        raise NoteError("Choose who can see this note from the list.", field="audience")


# --- writing ---------------------------------------------------------------------------------


def _saved_columns(
    title: str, body: str, category: str, tags: list[str], audience: str
) -> dict[str, Any]:
    """The columns a save writes from what the writer typed and chose."""
    return {
        "title": title or "",
        "body": body,
        "excerpt": excerpt(body),
        "category": category,
        "tags_text": TAG_SEPARATOR.join(tags),
        "audience": audience,
    }


def create_note(
    circle: Circle,
    membership: Any,
    *,
    title: str,
    body: str,
    category: str,
    tags: list[str],
    audience: str,
) -> Note:
    """Write a new note (version 1, with its first revision) and mark it read for its author."""
    if not member_can(membership, "notes.write"):
        raise NoteError("You can't write notes in this circle.")
    _check_choices(category, audience, membership)
    _check_tags(tags)
    now = utcnow()
    note = Note(
        circle_id=circle.id,
        author_id=membership.user_id,
        **_saved_columns(title, body, category, tags, audience),
        version=1,
        created_at=now,
        updated_at=now,
        updated_by_id=membership.user_id,
    )
    db.session.add(note)
    db.session.flush()
    _replace_tags(note, tags)
    _add_revision(note, membership.user_id)
    db.session.add(NoteRead(note_id=note.id, user_id=membership.user_id, seen_version=1))
    audit.record(
        "note.created",
        actor_id=membership.user_id,
        details={"category": category, "audience": audience},
        **note.audit_subject,
    )
    emit("note_created", note.audit_subject, membership.user_id, {"category": category})
    return note


def update_note(
    note: Note,
    membership: Any,
    *,
    expected_version: int,
    title: str,
    body: str,
    category: str,
    tags: list[str],
    audience: str,
) -> Note:
    """Save a new version, or raise :class:`StaleEdit` if ``expected_version`` is not current."""
    if not can_edit(note, membership):
        raise NoteError("Only the author or a coordinator can edit this note.")
    _check_audience_change(note, membership, audience)
    _check_choices(category, audience, membership)
    _check_tags(tags)
    if expected_version != note.version:
        raise StaleEdit(note)
    now = utcnow()
    old_audience = note.audience
    # The version check is in the UPDATE itself, so two simultaneous saves cannot both win.
    result = db.session.execute(
        update(Note)
        .where(Note.id == note.id, Note.version == expected_version)
        .values(
            **_saved_columns(title, body, category, tags, audience),
            version=expected_version + 1,
            updated_at=now,
            updated_by_id=membership.user_id,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(note)
    if result.rowcount != 1:
        raise StaleEdit(note)
    _replace_tags(note, tags)
    _add_revision(note, membership.user_id)
    mark_read_in_session(note, membership.user_id)
    details: dict[str, Any] = {"version": note.version}
    if old_audience != audience:
        details["audience"] = {"from": old_audience, "to": audience}
    audit.record("note.edited", actor_id=membership.user_id, details=details, **note.audit_subject)
    audit.record_audience_change(
        "note",
        note.public_id,
        circle_id=note.circle_id,
        actor_id=membership.user_id,
        author_id=note.author_id,
        before=old_audience,
        after=audience,
    )
    event_details = {"version": note.version, "category": category}
    emit("note_updated", note.audit_subject, membership.user_id, event_details)
    return note


def set_pinned(note: Note, membership: Any, pinned: bool) -> None:
    """Pin a note to the top of the feed, or unpin it (moderators)."""
    if not (visible(note, membership) and member_can(membership, "notes.moderate")):
        raise NoteError("Only coordinators can pin notes.")
    if note.pinned == pinned:
        return
    note.pinned = pinned
    audit.record(
        "note.pinned" if pinned else "note.unpinned",
        actor_id=membership.user_id,
        **note.audit_subject,
    )


def add_comment(note: Note, membership: Any, body: str) -> NoteComment:
    """Comment on a note the member can see."""
    if not can_comment(note, membership):
        raise NoteError("You can't comment on this note.")
    comment = NoteComment(note_id=note.id, author_id=membership.user_id, body=body)
    db.session.add(comment)
    db.session.flush()
    audit.record(
        "note.commented",
        actor_id=membership.user_id,
        details={"comment": comment.public_id},
        **note.audit_subject,
    )
    return comment


def acknowledge(note: Note, membership: Any) -> bool:
    """Record that the member has seen a shift handoff; return False if they already had."""
    if not can_acknowledge(note, membership):
        raise NoteError("Only shift handoffs can be acknowledged.")
    exists = db.session.scalar(
        select(NoteAcknowledgement.id).where(
            NoteAcknowledgement.note_id == note.id,
            NoteAcknowledgement.user_id == membership.user_id,
        )
    )
    if exists is not None:
        return False
    db.session.add(NoteAcknowledgement(note_id=note.id, user_id=membership.user_id))
    audit.record("note.acknowledged", actor_id=membership.user_id, **note.audit_subject)
    return True
