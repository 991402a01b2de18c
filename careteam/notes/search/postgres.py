"""PostgreSQL's search: the stored tsvector ``notes.search_fts``, matches in the feed's order.

``notes.search_fts`` weighs title (A), tags (B) and body (C) and is indexed with the circle by
the GIN index ``ix_notes_fts``.  The planner's statistics cover every circle, so it cannot tell
a word common in this circle from a rare one; the statement decides instead, in two tiers:
first the :data:`PROBE_WINDOW` newest notes the member may see are walked through the feed's
index and tested, and a common word fills the page there; only when it does not are all
matches taken from the GIN index and sorted.  The statement is never prepared, so each search
is planned for its own word and circle.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Integer, String, bindparam, func, literal_column, select, union_all
from sqlalchemy.engine import Connection

from ...db.prebuilt import prebuilt
from .shown import COUNT_CAP, live_and_visible, notes, shown_columns

# How many of the newest notes are tested before the GIN index is asked: a word in a good half
# of the notes fills the page within about a hundred.
PROBE_WINDOW = 150
PG_CONFIG = "'english'::regconfig"
PG_VECTOR_COLUMN = "notes.search_fts"


def newest_matches(
    connection: Connection, circle: Any, membership: Any, terms: list[str]
) -> list[Any]:
    """Return the shown columns of the first :data:`COUNT_CAP` + 1 matches, in feed order."""
    role = membership.role
    statement = prebuilt(("postgresql search", role), lambda: _statement(role))
    values = {"words": " ".join(terms), "circle_id": circle.id, "user_id": membership.user_id}
    with _planned_for_its_values(connection):
        return connection.execute(statement, values).all()


def _statement(role: str) -> Any:
    """Both tiers for a member with ``role``; the words, the circle and the reader are
    parameters.  Prebuilt (:mod:`careteam.db.prebuilt`): building and keying this nested
    statement took more than a tenth of a search page's time."""
    tsquery = func.plainto_tsquery(literal_column(PG_CONFIG), bindparam("words", type_=String))
    vector = literal_column(PG_VECTOR_COLUMN)
    in_circle = [
        notes.circle_id == bindparam("circle_id", type_=Integer),
        *live_and_visible(role, bindparam("user_id", type_=Integer)),
    ]
    recent = (
        select(notes.id, notes.pinned, notes.created_at, vector.label("vector"))
        .where(*in_circle)
        .order_by(*_feed_order(notes))
        .limit(PROBE_WINDOW)
        .subquery("recent")
    )
    # Each tier is MATERIALIZED, so no ORDER BY ... LIMIT tempts the planner into walking the
    # circle, and the second runs only when the first did not fill the page.
    found = (
        select(recent.c.id, recent.c.pinned, recent.c.created_at)
        .where(recent.c.vector.op("@@")(tsquery))
        .limit(COUNT_CAP + 1)
        .cte("found")
        .prefix_with("MATERIALIZED")
    )
    filled = select(func.count()).select_from(found).scalar_subquery() > COUNT_CAP
    everything = (
        select(notes.id, notes.pinned, notes.created_at)
        .where(vector.op("@@")(tsquery), *in_circle, ~filled)
        .cte("matches")
        .prefix_with("MATERIALIZED")
    )
    chosen = union_all(
        select(found.c.id, found.c.pinned, found.c.created_at).where(filled),
        select(everything.c.id, everything.c.pinned, everything.c.created_at),
    ).subquery("chosen")
    page = (
        select(chosen.c.id, chosen.c.pinned, chosen.c.created_at)
        .order_by(*_feed_order(chosen.c))
        .limit(COUNT_CAP + 1)
        .subquery("page")
    )
    return select(*shown_columns()).join(page, page.c.id == notes.id).order_by(*_feed_order(page.c))


def _feed_order(columns: Any) -> list[Any]:
    # The feed's order (pinned, then newest), which the index ix_notes_feed hands out.
    return [columns.pinned.desc(), columns.created_at.desc(), columns.id.desc()]


@contextlib.contextmanager
def _planned_for_its_values(connection: Connection) -> Iterator[None]:
    """Keep psycopg from preparing the statements run inside.

    psycopg prepares a statement after a few runs, and PostgreSQL may then reuse one generic
    plan for every word and circle -- a bitmap scan and a sort over every match of a common
    word.  A statement that is not prepared is planned with its values each time.
    """
    driver = connection.connection.driver_connection
    saved = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = saved
