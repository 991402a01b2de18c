"""Full-text search over a circle's notes: one function, two engines.

- SQLite: the FTS5 table ``notes_fts`` (external content on ``notes``, Porter stemming, synced by
  triggers from migration 0004), ranked with bm25.
- PostgreSQL: the expression GIN index ``ix_notes_fts`` on ``notes``; :data:`PG_VECTOR` must
  stay identical to the indexed expression, or the planner cannot use the index.

Both weight title over tags over body, both treat the words typed as "all of these", and both
honour audiences.  Snippets come back with the matches between private marker characters that
note text cannot contain (control characters are refused on input); we HTML-escape the snippet
and only then turn the markers into ``<mark>`` tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import func, literal_column, select, table, text

from ..audience import visible_clause
from ..auth.models import User
from ..circles.models import Circle
from ..extensions import db
from .models import Note

START, STOP = "\x02", "\x03"
MAX_TERMS = 16
_WORD = re.compile(r"\w+", re.UNICODE)

PG_CONFIG = "'english'::regconfig"
PG_VECTOR = (
    f"(setweight(to_tsvector({PG_CONFIG}, coalesce(notes.title, '')), 'A') || "
    f"setweight(to_tsvector({PG_CONFIG}, coalesce(notes.tags_text, '')), 'B') || "
    f"setweight(to_tsvector({PG_CONFIG}, coalesce(notes.body, '')), 'C'))"
)
# The same expression without the table name, for CREATE INDEX in the migration.
PG_INDEX_EXPRESSION = PG_VECTOR.replace("notes.", "")
_PG_HEADLINE_OPTIONS = (
    f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, ShortWord=2, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)

_notes_fts = table("notes_fts")


@dataclass(frozen=True)
class SearchHit:
    public_id: str
    title: Markup
    snippet: Markup
    category: str
    audience: str
    created_at: datetime
    author_name: str | None


def search_terms(query: str) -> list[str]:
    """Return the words of a search box entry (punctuation and operators dropped)."""
    return _WORD.findall(query or "")[:MAX_TERMS]


def highlight(marked: str | None) -> Markup:
    """HTML-escape engine output, then turn only the match markers into ``<mark>`` tags."""
    out: list[str] = []
    is_open = False
    for char in marked or "":
        if char == START and not is_open:
            out.append("<mark>")
            is_open = True
        elif char == STOP and is_open:
            out.append("</mark>")
            is_open = False
        elif char not in (START, STOP):
            out.append(str(escape(char)))
    if is_open:
        out.append("</mark>")
    return Markup("".join(out))  # noqa: S704 - every character above was escaped


def search_notes(circle: Circle, membership: Any, query: str, limit: int = 25) -> list[SearchHit]:
    """Return the notes in ``circle`` matching ``query`` that ``membership`` may see, best first."""
    terms = search_terms(query)
    if not terms:
        return []
    if db.engine.dialect.name == "postgresql":
        rows = _search_postgres(circle, membership, terms, limit)
        restore = _pg_unprotect
    else:
        rows = _search_sqlite(circle, membership, terms, limit)
        restore = str
    return [
        SearchHit(
            public_id=r.public_id,
            title=highlight(restore(r.title_marked or "")),
            snippet=highlight(restore(r.snippet_marked or "")),
            category=r.category,
            audience=r.audience,
            created_at=r.created_at,
            author_name=r.author_name,
        )
        for r in rows
    ]


def _filters(circle: Circle, membership: Any) -> list[Any]:
    return [
        Note.circle_id == circle.id,
        Note.deleted_at.is_(None),
        visible_clause(Note.audience, Note.author_id, membership),
    ]


def _search_sqlite(circle: Circle, membership: Any, terms: list[str], limit: int) -> list[Any]:
    # Each word quoted: FTS5 operators and syntax in what people type stay plain words.
    match = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
    fts = literal_column("notes_fts")
    stmt = (
        select(
            Note.public_id,
            Note.category,
            Note.audience,
            Note.created_at,
            User.display_name.label("author_name"),
            func.highlight(fts, 0, START, STOP).label("title_marked"),
            func.snippet(fts, 2, START, STOP, "…", 24).label("snippet_marked"),
        )
        .select_from(_notes_fts)
        .join(Note, Note.id == literal_column("notes_fts.rowid"))
        .outerjoin(User, User.id == Note.author_id)
        .where(fts.op("MATCH")(match), *_filters(circle, membership))
        # bm25 is lower for better matches; columns: title, tags_text, body.
        .order_by(func.bm25(fts, 10.0, 5.0, 1.0), Note.created_at.desc())
        .limit(limit)
    )
    return list(db.session.execute(stmt).all())


def _pg_protect(column: Any) -> Any:
    """Hide ``<`` from ts_headline, whose parser would drop anything that looks like a tag."""
    return func.replace(func.replace(column, "&", "&amp;"), "<", "&lt;")


def _pg_unprotect(value: str) -> str:
    # Reverse order of _pg_protect, so text that already contained "&lt;" survives unchanged.
    return value.replace("&lt;", "<").replace("&amp;", "&")


def _search_postgres(circle: Circle, membership: Any, terms: list[str], limit: int) -> list[Any]:
    vector = literal_column(PG_VECTOR)
    tsquery = func.plainto_tsquery(literal_column(PG_CONFIG), " ".join(terms))
    ranked = (
        select(
            Note.id,
            func.ts_rank_cd(vector, tsquery).label("rank"),
        )
        .where(vector.op("@@")(tsquery), *_filters(circle, membership))
        .order_by(text("rank DESC"), Note.created_at.desc())
        .limit(limit)
        .subquery()
    )
    # Headlines are costly: build them only for the page of results.
    stmt = (
        select(
            Note.public_id,
            Note.category,
            Note.audience,
            Note.created_at,
            User.display_name.label("author_name"),
            func.ts_headline(
                literal_column(PG_CONFIG),
                _pg_protect(Note.title),
                tsquery,
                f"StartSel={START}, StopSel={STOP}, HighlightAll=true",
            ).label("title_marked"),
            func.ts_headline(
                literal_column(PG_CONFIG), _pg_protect(Note.body), tsquery, _PG_HEADLINE_OPTIONS
            ).label("snippet_marked"),
        )
        .join(ranked, ranked.c.id == Note.id)
        .outerjoin(User, User.id == Note.author_id)
        .order_by(ranked.c.rank.desc(), Note.created_at.desc())
    )
    return list(db.session.execute(stmt).all())
