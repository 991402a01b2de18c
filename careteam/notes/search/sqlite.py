"""SQLite's search: the FTS5 table ``notes_fts``, newest matches first.

``notes_fts`` is an external-content table (Porter stemming, kept in step by triggers) with a
``circle_key`` column ("circle<id>", migration 0007): the match names the circle, so FTS5 never
walks other circles' notes, and it hands rows out newest added first (by rowid) straight from
its index, so the statement stops after :data:`COUNT_CAP` + 1 ids.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String, bindparam, literal_column, select, table
from sqlalchemy.engine import Connection

from ...db.prebuilt import prebuilt
from ..models import Note
from .shown import COUNT_CAP, live_and_visible, notes, shown_columns

_notes_fts = table("notes_fts")


def newest_match_ids(
    connection: Connection, circle: Any, membership: Any, terms: list[str]
) -> list[int]:
    """Return the ids of the newest :data:`COUNT_CAP` + 1 matches, newest first."""
    # Each word quoted: FTS5 operators and syntax in what people type stay plain words.
    words = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
    match = f'circle_key : "circle{int(circle.id)}" AND {words}'
    role = membership.role
    statement = prebuilt(("sqlite search", role), lambda: _newest_match_statement(role))
    values = {"match": match, "circle_id": circle.id, "user_id": membership.user_id}
    return list(connection.execute(statement, values).scalars())


def _newest_match_statement(role: str) -> Any:
    """The newest matches in one circle that a member with ``role`` may see; the match, the
    circle and the reader are parameters.  Prebuilt (:mod:`careteam.db.prebuilt`): building
    and keying it took more than a tenth of a search page's time."""
    rowid = literal_column("notes_fts.rowid")
    return (
        select(notes.id)
        .select_from(_notes_fts)
        .join(Note.__table__, notes.id == rowid)
        .where(
            literal_column("notes_fts").op("MATCH")(bindparam("match", type_=String)),
            notes.circle_id == bindparam("circle_id", type_=Integer),
            *live_and_visible(role, bindparam("user_id", type_=Integer)),
        )
        .order_by(rowid.desc())
        .limit(COUNT_CAP + 1)
    )


def rows_by_id(connection: Connection, ids: list[int]) -> list[Any]:
    """Return the shown columns of the notes ``ids``, in that order."""
    if not ids:
        return []
    found = connection.execute(select(*shown_columns()).where(notes.id.in_(ids)))
    by_id = {row.id: row for row in found}
    return [by_id[i] for i in ids]
