"""What both engines share: the rules every match obeys and the columns a hit shows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ...audience import visible_to
from ...auth.models import User
from ..models import Note

# Past this many matches the count reads "50+" and the newest come first, unranked: among that
# many, recent notes are the useful ones, and ranking them all would mean reading them all.
COUNT_CAP = 50

# Core columns, not ORM attributes: the rows are plain tuples and skip the ORM's result layer.
notes = Note.__table__.c
_users = User.__table__.c


def live_and_visible(role: str, user_id: Any) -> list[Any]:
    """Leave out the trash and the notes a member with ``role`` and ``user_id`` may not see
    (``user_id`` may be a bound parameter)."""
    return [
        notes.deleted_at.is_(None),
        visible_to(notes.audience, notes.author_id, role, user_id),
    ]


def shown_columns() -> list[Any]:
    """The columns of a note a hit shows, with its author's name."""
    # Per shown row, not a join: a hash join would read every user to name a few authors.
    author_name = (
        select(_users.display_name)
        .where(_users.id == notes.author_id)
        .correlate(Note.__table__)
        .scalar_subquery()
    )
    return [
        notes.id,
        notes.public_id,
        notes.title,
        notes.tags_text,
        notes.body,
        notes.category,
        notes.audience,
        notes.created_at,
        author_name.label("author_name"),
    ]
