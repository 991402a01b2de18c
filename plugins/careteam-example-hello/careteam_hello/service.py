"""What the hello plugin does, apart from its pages: kind words and the shared-update count."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from careteam.api import Circle, db, display_name_of, record_audit, require, utcnow

from .models import KindWord, SharedUpdateCount

RECENT = 3


def leave_kind_word(circle: Circle, membership: Any, message: str) -> KindWord:
    """Add a member's message to the circle (the caller commits)."""
    require(membership, "hello.write")
    word = KindWord(circle_id=circle.id, author_id=membership.user_id, message=message)
    db.session.add(word)
    db.session.flush()
    record_audit(
        "hello.kind_word_added",
        circle,
        object_type="kind_word",
        object_id=word.public_id,
        actor_id=membership.user_id,
    )
    return word


PAGE_SIZE = 50


def kind_words(
    circle: Circle, limit: int | None = PAGE_SIZE, before: str | None = None
) -> list[dict[str, Any]]:
    """Return the circle's messages, newest first, with their authors' names (one query).

    ``before`` is the public id of the last message of the previous page (keyset paging: the
    database jumps straight to it through the (circle_id, id) index, however deep the page).
    """
    stmt = (
        select(
            KindWord.public_id,
            KindWord.message,
            KindWord.created_at,
            display_name_of(KindWord.author_id).label("author_name"),
        )
        .where(KindWord.circle_id == circle.id)
        .order_by(KindWord.id.desc())
    )
    if before is not None:
        boundary = select(KindWord.id).where(
            KindWord.circle_id == circle.id, KindWord.public_id == before
        )
        stmt = stmt.where(KindWord.id < boundary.scalar_subquery())
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        {
            "id": row.public_id,
            "message": row.message,
            "created_at": row.created_at,
            "author": row.author_name or "A former member",
        }
        for row in db.session.execute(stmt)
    ]


def count_shared_update(circle_id: int) -> None:
    """Count one more note addressed to everyone in this circle."""
    now = utcnow()
    bump = (
        update(SharedUpdateCount)
        .where(SharedUpdateCount.circle_id == circle_id)
        .values(count=SharedUpdateCount.count + 1, last_at=now)
    )
    if db.session.execute(bump).rowcount:
        return
    try:
        with db.session.begin_nested():
            db.session.add(SharedUpdateCount(circle_id=circle_id, count=1, last_at=now))
    except IntegrityError:  # another writer made the row first
        db.session.execute(bump)


def shared_update_count(circle: Circle) -> int:
    """Return how many notes addressed to everyone this circle has had."""
    stmt = select(SharedUpdateCount.count).where(SharedUpdateCount.circle_id == circle.id)
    return db.session.scalar(stmt) or 0
