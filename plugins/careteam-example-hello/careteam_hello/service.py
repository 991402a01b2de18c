"""What the hello plugin does, apart from its pages: kind words and the shared-update count."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Integer, String, bindparam, select, update
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
    statement = _kind_words_statement(limit is not None, before is not None)
    values = {"circle_id": circle.id, "limit": limit, "before": before}
    return [
        {
            "id": row.public_id,
            "message": row.message,
            "created_at": row.created_at,
            "author": row.author_name or "A former member",
        }
        for row in db.session.execute(statement, values)
    ]


@functools.cache
def _kind_words_statement(limited: bool, after_a_page: bool) -> Any:
    # Built once per shape, with the circle (the page size, the last message shown) as
    # parameters: building a statement cost more than running it, on every page that lists
    # messages.
    circle_id = bindparam("circle_id", type_=Integer)
    stmt = (
        select(
            KindWord.public_id,
            KindWord.message,
            KindWord.created_at,
            display_name_of(KindWord.author_id).label("author_name"),
        )
        .where(KindWord.circle_id == circle_id)
        .order_by(KindWord.id.desc())
    )
    if after_a_page:
        boundary = (
            select(KindWord.id)
            .where(
                KindWord.circle_id == circle_id,
                KindWord.public_id == bindparam("before", type_=String),
            )
            .scalar_subquery()
        )
        stmt = stmt.where(KindWord.id < boundary)
    if limited:
        stmt = stmt.limit(bindparam("limit", type_=Integer, literal_execute=True))
    return stmt


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
    return db.session.scalar(_shared_update_count_statement(), {"circle_id": circle.id}) or 0


@functools.cache
def _shared_update_count_statement() -> Any:
    circle_id = bindparam("circle_id", type_=Integer)
    return select(SharedUpdateCount.count).where(SharedUpdateCount.circle_id == circle_id)
