"""Full-text search over one circle's notes: one service function over two engines.

The database finds the matches, only inside the circle, with the audience rule and the trash
filter in SQL, and reads at most :data:`COUNT_CAP` + 1 of them, so a search costs the same
however big the circle is (:mod:`.sqlite`, :mod:`.postgres`).  The words typed mean "all of
these", stemmed.  Up to :data:`COUNT_CAP` matches are all ranked here, title over tags over
body, ties newest first, and counted exactly; past that the newest page is shown and the count
reads "50+".  Marking the words is :mod:`.highlighting`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup

from ...extensions import db
from . import postgres, sqlite
from .highlighting import WORD, Matcher, highlight
from .shown import COUNT_CAP

PAGE_SIZE = 25
MAX_TERMS = 16


@dataclass(frozen=True)
class SearchHit:
    public_id: str
    title: Markup
    snippet: Markup
    category: str
    audience: str
    created_at: datetime
    author_name: str | None


@dataclass(frozen=True)
class SearchResult:
    """One page of hits and how many notes matched (exact up to :data:`COUNT_CAP`)."""

    hits: list[SearchHit]
    count: int
    capped: bool

    @property
    def ranked(self) -> bool:
        """Whether the hits are best first (else newest first, among very many)."""
        return not self.capped

    @property
    def count_label(self) -> str:
        return f"{COUNT_CAP}+" if self.capped else str(self.count)


def search_terms(query: str) -> list[str]:
    """Return the words of a search box entry (punctuation and operators dropped)."""
    return WORD.findall(query or "")[:MAX_TERMS]


def search_circle(circle: Any, membership: Any, query: str, limit: int = PAGE_SIZE) -> SearchResult:
    """Return a page of the notes in ``circle`` matching ``query`` that ``membership`` may see."""
    terms = search_terms(query)
    if not terms:
        return SearchResult(hits=[], count=0, capped=False)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        rows = postgres.newest_matches(connection, circle, membership, terms)
        capped = len(rows) > COUNT_CAP
    else:
        ids = sqlite.newest_match_ids(connection, circle, membership, terms)
        capped = len(ids) > COUNT_CAP
        # Capped: the newest page is known already.  Else every match is read, to be ranked.
        rows = sqlite.rows_by_id(connection, ids[:limit] if capped else ids)
    matcher = Matcher(terms)
    if not capped:
        # Stable sort: ties keep the statement's newest-first order.
        rows.sort(key=matcher.score, reverse=True)
    return SearchResult(
        hits=[_hit(matcher, row) for row in rows[:limit]],
        count=COUNT_CAP if capped else len(rows),
        capped=capped,
    )


def search_notes(
    circle: Any, membership: Any, query: str, limit: int = PAGE_SIZE
) -> list[SearchHit]:
    """Return the first page of :func:`search_circle` (best first when matches are few)."""
    return search_circle(circle, membership, query, limit).hits


def _hit(matcher: Matcher, row: Any) -> SearchHit:
    return SearchHit(
        public_id=row.public_id,
        title=highlight(matcher.mark(row.title or "")),
        snippet=highlight(matcher.snippet(row.body or "")),
        category=row.category,
        audience=row.audience,
        created_at=row.created_at,
        author_name=row.author_name,
    )
