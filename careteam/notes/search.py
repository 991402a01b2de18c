"""Full-text search over one circle's notes: one function, two engines, two statements.

The database finds the matches, only inside the circle, and returns their ids first:

- SQLite: the FTS5 table ``notes_fts`` (external content, Porter stemming, synced by triggers;
  migration 0007 adds the ``circle_key`` column, "circle<id>") is matched with
  ``circle_key : "circle<id>"`` AND every typed word, so FTS5 never walks other circles' notes;
  rows come newest first by rowid (the order the notes were added), straight out of the index.
- PostgreSQL: the stored column ``notes.search_fts`` (weighted tsvector: title A, tags B, body C)
  with the GIN index ``ix_notes_fts`` over (circle_id, feed bucket, search_fts) (``btree_gin``;
  a bucket is a circle's pinned notes or its notes of one month: migration 0010).  Rows come in
  the feed's order (pinned, then newest).  One statement (:func:`_postgres_rows`) first tests
  the newest few notes of the circle, which settles a common word after ~100 rows, and only
  otherwise takes every match from the GIN index and sorts it; in a circle big enough for that
  to read hundreds of rows, a middle tier first asks the index for the matches among the
  pinned notes and the last two months' only.  The planner's statistics cover all circles, so
  it cannot tell which tier a word needs in this one.  The statement is never prepared
  (:func:`_planned_for_its_values`), so every search is planned for its own word and circle.

Both treat the words typed as "all of these" with stemming (PostgreSQL drops English stop
words, FTS5 does not -- as before).  The first statement reads at most :data:`COUNT_CAP` + 1
matching ids, with the audience rule (``visible_clause``) and the trash filter in SQL, so its
cost does not grow with the circle; then the shown columns of the notes needed are read (on
PostgreSQL in the same statement):

- at most :data:`COUNT_CAP` matches: all of them, ranked here -- title over tags over body
  (10/5/1 per marked word), ties newest first -- and the count is exact;
- more than that: the newest :data:`PAGE_SIZE`, and the count reads "50+".  Ranking 6,000
  matches would mean reading 6,000 notes; among that many, recent ones are the useful ones.
  (Before, ``bm25``/``ts_rank_cd`` ranked every match: 0.2 s on SQLite, 0.7 s on PostgreSQL.)

Highlighting is done here, not by ``ts_headline`` or FTS5's ``snippet()`` (0.16 ms a note in
PostgreSQL; FTS5 re-matches each row, 0.6 ms): a word is marked when it starts with the stem of a
typed word (:func:`stem_prefix`, a light suffix strip), so it can mark a related word the engine
did not match ("walker" for "walk"); it never changes which notes match.  The snippet is about
:data:`SNIPPET_WORDS` words of the body around the first marked word.  Marks are private marker
characters that note text cannot contain (control characters are refused on input); we
HTML-escape the text and only then turn the markers into ``<mark>`` tags.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
    union_all,
)

from ..audience import visible_clause
from ..auth.models import User
from ..circles.models import Circle
from ..clock import utcnow
from ..dbtypes import UTCDateTime
from ..extensions import db
from .models import Note


def placeholders(role: str) -> tuple[Any, Any]:
    """A circle and a reader of ``role`` whose ids are the parameters circle_id and user_id."""
    return (
        SimpleNamespace(id=bindparam("circle_id", type_=Integer)),
        SimpleNamespace(role=role, user_id=bindparam("user_id", type_=Integer)),
    )


START, STOP = "\x02", "\x03"
MAX_TERMS = 16
PAGE_SIZE = 25
# Past this many matches the count is shown as "50+" and results come newest first (a common
# word then reads about 80 rows of the circle: 0.7 ms in PostgreSQL, against 1.5 ms at 100).
COUNT_CAP = 50
SNIPPET_WORDS = 24
# PostgreSQL: how many of the newest notes are tested before the GIN index is asked.  A word in
# a good half of the notes fills the page within about 100; each note tested costs ~5 us.
PROBE_WINDOW = 150
_WORD = re.compile(r"\w+", re.UNICODE)
_MARKERS = re.compile(f"([{START}{STOP}])")
# Longest first; a stem keeps at least three letters so "leg" or "bus" stay whole.
_SUFFIXES = ("ingly", "edly", "ing", "ies", "ied", "ed", "es", "ly", "s", "y", "e")
_WEIGHTS = {"title": 10, "tags": 5, "body": 1}

PG_CONFIG = "'english'::regconfig"
PG_VECTOR_COLUMN = "notes.search_fts"
# The middle column of ix_notes_fts, written exactly as migration 0010 indexes it: where in its
# circle's feed a note is -- minus the circle's id for the pinned ones (shown first), else the
# circle's id * BUCKETS_PER_CIRCLE + the month (UTC, year * 12 + month) it was written in.  The
# circle is in the key: ANDing a circle's few pinned notes with its whole entry in the index
# took 0.7 ms at 100,000 notes, where the pinned notes' own key took 0.05 ms.
BUCKETS_PER_CIRCLE = 100_000  # months up to the year 8333
PG_FEED_BUCKET = (
    "(CASE WHEN notes.pinned THEN -notes.circle_id::bigint "
    f"ELSE notes.circle_id::bigint * {BUCKETS_PER_CIRCLE} + "
    "(date_part('year', notes.created_at AT TIME ZONE 'UTC') * 12 "
    "+ date_part('month', notes.created_at AT TIME ZONE 'UTC'))::bigint END)"
)
# PostgreSQL's middle tier: the pinned notes and those of this many calendar months, this one
# included.  A busy circle writes thousands of notes in two months, so a word in ~2 % of them
# fills the page there; a quiet circle has few matches in all and lets the last tier read them.
RECENT_MONTHS = 2

_notes_fts = table("notes_fts")
# Core columns, not ORM attributes: the rows are plain tuples and skip the ORM's result layer.
_notes = Note.__table__.c
_users = User.__table__.c


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
    return _WORD.findall(query or "")[:MAX_TERMS]


def stem_prefix(word: str) -> str:
    """Return the start every inflected form of ``word`` shares ("walks" -> "walk")."""
    word = word.casefold()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def highlight(marked: str | None) -> Markup:
    """HTML-escape engine output, then turn only the match markers into ``<mark>`` tags."""
    out: list[str] = []
    is_open = False
    for piece in _MARKERS.split(marked or ""):
        if piece == START:
            if not is_open:
                out.append("<mark>")
                is_open = True
        elif piece == STOP:
            if is_open:
                out.append("</mark>")
                is_open = False
        else:
            out.append(str(escape(piece)))
    if is_open:
        out.append("</mark>")
    return Markup("".join(out))  # noqa: S704 - every piece of text above was escaped


def search_circle(
    circle: Circle, membership: Any, query: str, limit: int = PAGE_SIZE
) -> SearchResult:
    """Return a page of the notes in ``circle`` matching ``query`` that ``membership`` may see."""
    terms = search_terms(query)
    if not terms:
        return SearchResult(hits=[], count=0, capped=False)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        rows = _postgres_rows(connection, circle, membership, terms)
        capped = len(rows) > COUNT_CAP
    else:
        ids = _sqlite_ids(connection, circle, membership, terms)
        capped = len(ids) > COUNT_CAP
        # Capped: the newest page is known already.  Else every match is read, to be ranked.
        rows = _rows_by_id(connection, ids[:limit] if capped else ids)
    matcher = _Matcher(terms)
    if not capped:
        # Stable sort: ties keep the statement's newest-first order.
        rows.sort(key=lambda row: _score(matcher, row), reverse=True)
    return SearchResult(
        hits=[_hit(matcher, row) for row in rows[:limit]],
        count=COUNT_CAP if capped else len(rows),
        capped=capped,
    )


def search_notes(
    circle: Circle, membership: Any, query: str, limit: int = PAGE_SIZE
) -> list[SearchHit]:
    """Return the first page of :func:`search_circle` (best first when matches are few)."""
    return search_circle(circle, membership, query, limit).hits


def _rows_by_id(connection: Any, ids: list[int]) -> list[Any]:
    """Return the shown columns of the notes ``ids``, in that order."""
    if not ids:
        return []
    by_id = {row.id: row for row in connection.execute(_rows_by_id_statement(), {"ids": ids})}
    return [by_id[i] for i in ids]


@functools.cache
def _rows_by_id_statement() -> Any:
    # Built once, the ids an expanding parameter (at most COUNT_CAP of them).
    return select(_notes.id, *_columns()).where(_notes.id.in_(bindparam("ids", expanding=True)))


def _columns() -> list[Any]:
    # Per shown row, not a join: a hash join would read every user to name a few authors.
    author_name = (
        select(_users.display_name)
        .where(_users.id == _notes.author_id)
        .correlate(Note.__table__)
        .scalar_subquery()
    )
    return [
        _notes.public_id,
        _notes.title,
        _notes.tags_text,
        _notes.body,
        _notes.category,
        _notes.audience,
        _notes.created_at,
        author_name.label("author_name"),
    ]


@contextlib.contextmanager
def _planned_for_its_values(connection: Any) -> Iterator[None]:
    """Keep psycopg from preparing the statements run inside (PostgreSQL only).

    psycopg prepares a statement after a few runs, and PostgreSQL may then reuse one generic
    plan for every word, circle and limit -- a bitmap scan plus sort over 6,000 rows for a
    common word.  A statement that is not prepared is planned with its values each time.
    """
    driver = connection.connection.driver_connection
    saved = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = saved


def _filters(circle: Any, membership: Any) -> list[Any]:
    return [_notes.circle_id == circle.id, *_live_and_visible(membership)]


def _live_and_visible(membership: Any) -> list[Any]:
    return [
        _notes.deleted_at.is_(None),
        visible_clause(_notes.audience, _notes.author_id, membership),
    ]


def _values(circle: Circle, membership: Any, **more: Any) -> dict[str, Any]:
    return {"circle_id": circle.id, "user_id": membership.user_id, **more}


def _sqlite_ids(connection: Any, circle: Circle, membership: Any, terms: list[str]) -> list[int]:
    """Return the ids of the newest :data:`COUNT_CAP` + 1 matches, newest first."""
    # Each word quoted: FTS5 operators and syntax in what people type stay plain words.
    words = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
    match = f'circle_key : "circle{int(circle.id)}" AND {words}'
    statement = _sqlite_ids_statement(membership.role)
    return list(connection.execute(statement, _values(circle, membership, match=match)).scalars())


@functools.cache
def _sqlite_ids_statement(role: str) -> Any:
    # Built once per role with the circle, the reader and the match as parameters.
    circle, reader = placeholders(role)
    fts = literal_column("notes_fts")
    rowid = literal_column("notes_fts.rowid")
    return (
        select(_notes.id)
        .select_from(_notes_fts)
        .join(Note.__table__, _notes.id == rowid)
        .where(fts.op("MATCH")(bindparam("match", type_=String)), *_filters(circle, reader))
        # FTS5 hands rows out in rowid order itself, so no sort and an early stop.
        .order_by(rowid.desc())
        .limit(COUNT_CAP + 1)
    )


def _postgres_rows(connection: Any, circle: Circle, membership: Any, terms: list[str]) -> list[Any]:
    """Return the shown columns of the newest :data:`COUNT_CAP` + 1 matches, in feed order.

    The planner cannot tell a word common in this circle from a rare one (its statistics are
    over every circle: it guessed 640 matches for "garden" where 6,044 are), so the choice is
    made in the statement.  First the :data:`PROBE_WINDOW` newest notes the member may see are
    walked through the feed index and tested with ``@@``: a common word fills the page there,
    and those are then the newest matches of all.  Only when it does not are all matches
    taken from the GIN index and sorted.

    In a circle where a search has read more than :data:`MANY_MATCHES` matches that way, a
    middle tier comes in between: the GIN index gives the matches among the notes the feed
    shows first -- pinned ones and the last :data:`RECENT_MONTHS` months' -- and when more
    than :data:`COUNT_CAP` are there, they hold the newest matches of all (every note outside
    them comes later in the feed).  With 100,000 notes in a circle a word in 2 % of them read
    ~70 rows that way instead of ~2,000 (the search's SQL 3.8 -> 1.7 ms).  Planning the extra
    tier costs ~0.4 ms on every search, more than it saves in a circle of ordinary size, hence
    only where a search has shown the circle to be that big (:class:`_CirclesWithManyMatches`).

    Each tier is MATERIALIZED (so no ORDER BY ... LIMIT can tempt the planner into walking the
    circle) and sits behind one-time filters, so it is not run at all when an earlier one
    filled the page.  One statement, so one plan and one round trip either way; it is never
    prepared, so each search is planned for its own word, circle and months.
    """
    values = _values(circle, membership, words=" ".join(terms))
    big_circles = _circles_with_many_matches()
    middle_tier = circle.id in big_circles
    if middle_tier:
        values.update(_recent_buckets(circle.id, utcnow()))
    statement = _postgres_statement(membership.role, middle_tier)
    with _planned_for_its_values(connection):
        rows = connection.execute(statement, values).all()
    if not middle_tier and rows and rows[0].many_matches:
        big_circles.add(circle.id)
    return rows


# Past this many matches read from the index by one search, the circle's searches get the
# middle tier (in this process, from then on).
MANY_MATCHES = 500
_CIRCLES_REMEMBERED = 10_000
_HINTS = "careteam_search_hints"


class _CirclesWithManyMatches:
    """The circles (ids) where a search read more than :data:`MANY_MATCHES` matches, least
    recently seen first.  Per app and process, and only a hint: a circle missing here is
    searched correctly, just without the middle tier; bounded, so a site with many big circles
    forgets the least recent ones."""

    def __init__(self) -> None:
        self.ids: OrderedDict[int, None] = OrderedDict()
        self.lock = threading.Lock()  # gthread workers share it between threads

    def __contains__(self, circle_id: int) -> bool:
        return circle_id in self.ids

    def add(self, circle_id: int) -> None:
        with self.lock:
            self.ids[circle_id] = None
            self.ids.move_to_end(circle_id)
            while len(self.ids) > _CIRCLES_REMEMBERED:
                self.ids.popitem(last=False)


def _circles_with_many_matches() -> _CirclesWithManyMatches:
    found = current_app.extensions.get(_HINTS)
    if found is None:
        found = current_app.extensions.setdefault(_HINTS, _CirclesWithManyMatches())
    return found


@functools.cache
def _postgres_statement(role: str, middle_tier: bool) -> Any:
    # Built once per role and shape with the circle, the reader, the words (and the months) as
    # parameters: building and compiling it took longer than PostgreSQL took to plan and run it.
    circle, reader = placeholders(role)
    tsquery = func.plainto_tsquery(literal_column(PG_CONFIG), bindparam("words", type_=String))
    vector = literal_column(PG_VECTOR_COLUMN)
    recent = (
        select(_notes.id, _notes.pinned, _notes.created_at, vector.label("vector"))
        .where(*_filters(circle, reader))
        .order_by(*_feed_order(_notes))
        .limit(PROBE_WINDOW)
        .subquery("recent")
    )
    found = (
        select(recent.c.id, recent.c.pinned, recent.c.created_at)
        .where(recent.c.vector.op("@@")(tsquery))
        .limit(COUNT_CAP + 1)
        .cte("found")
        .prefix_with("MATERIALIZED")
    )
    filled = select(func.count()).select_from(found).scalar_subquery() > COUNT_CAP
    tiers = [select(found.c.id, found.c.pinned, found.c.created_at).where(filled)]
    not_filled = [~filled]
    if middle_tier:
        # No circle_id = ... here: the buckets name the circle, and the planner would AND
        # the circle's whole entry in the index into each bucket's few rows.
        in_window = (
            select(_notes.id, _notes.pinned, _notes.created_at)
            .where(
                vector.op("@@")(tsquery),
                *_live_and_visible(reader),
                _in_recent_buckets(),
                ~filled,
                ~_notes_dated_after_the_window(circle),
            )
            .cte("recent_matches")
            .prefix_with("MATERIALIZED")
        )
        window_filled = select(func.count()).select_from(in_window).scalar_subquery() > COUNT_CAP
        tiers.append(
            select(in_window.c.id, in_window.c.pinned, in_window.c.created_at).where(window_filled)
        )
        not_filled.append(~window_filled)
    everything = (
        select(_notes.id, _notes.pinned, _notes.created_at)
        .where(vector.op("@@")(tsquery), *_filters(circle, reader), *not_filled)
        .cte("matches")
        .prefix_with("MATERIALIZED")
    )
    tiers.append(select(everything.c.id, everything.c.pinned, everything.c.created_at))
    page = _page_of(union_all(*tiers).subquery("chosen"))
    if middle_tier:
        return page
    many = select(func.count()).select_from(everything).scalar_subquery() > MANY_MATCHES
    return page.add_columns(many.label("many_matches"))


def _recent_buckets(circle_id: int, now: datetime) -> dict[str, Any]:
    """The middle tier's feed buckets of one circle (its pinned notes', and those of the last
    :data:`RECENT_MONTHS` months, UTC) and the instant the window ends."""
    today = now.astimezone(UTC)
    this_month = today.year * 12 + today.month  # as the index counts them
    buckets = {"bucket_pinned": -circle_id}
    for back in range(RECENT_MONTHS):
        buckets[f"bucket_{back}"] = circle_id * BUCKETS_PER_CIRCLE + this_month - back
    year, month = divmod(this_month, 12)  # this_month + 1, written back as a date
    return {**buckets, "window_ends": datetime(year, month + 1, 1, tzinfo=UTC)}


def _in_recent_buckets() -> Any:
    # Equalities joined by OR, not a range: each is one GIN key (a bitmap scan apiece, ORed),
    # where a range over a btree_gin column would gather every key above or below it.
    bucket = literal_column(PG_FEED_BUCKET)
    names = ["bucket_pinned"] + [f"bucket_{i}" for i in range(RECENT_MONTHS)]
    return or_(*(bucket == bindparam(name, type_=BigInteger) for name in names))


def _notes_dated_after_the_window(circle: Any) -> Any:
    # A note dated after this month (a clock set back since) would sort before the window's
    # notes without being in it: then the middle tier steps aside and the last one decides.
    return exists().where(
        _notes.circle_id == circle.id,
        _notes.created_at >= bindparam("window_ends", type_=UTCDateTime()),
    )


def _feed_order(columns: Any) -> list[Any]:
    # The feed's order (pinned, then newest), which the index ix_notes_feed hands out.
    return [columns.pinned.desc(), columns.created_at.desc(), columns.id.desc()]


def _page_of(matches: Any) -> Any:
    """Return the shown columns of the first :data:`COUNT_CAP` + 1 of ``matches`` in feed order."""
    first = select(matches.c.id, matches.c.pinned, matches.c.created_at)
    first = first.order_by(*_feed_order(matches.c)).limit(COUNT_CAP + 1).subquery("page")
    return (
        select(_notes.id, *_columns())
        .join(first, first.c.id == _notes.id)
        .order_by(*_feed_order(first.c))
    )


class _Matcher:
    """Finds the words of a text that a search's terms matched."""

    def __init__(self, terms: list[str]) -> None:
        prefixes = sorted({stem_prefix(t) for t in terms}, key=len, reverse=True)
        alternatives = "|".join(re.escape(p) for p in prefixes)
        self._pattern = re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE | re.UNICODE)

    def count(self, text: str) -> int:
        return sum(1 for _ in self._pattern.finditer(text))

    def first(self, text: str) -> int | None:
        found = self._pattern.search(text)
        return found.start() if found else None

    def mark(self, text: str, start: int = 0, end: int | None = None) -> str:
        """Return ``text[start:end]`` with every matched word between the markers."""
        end = len(text) if end is None else end
        out, pos = [], start
        for found in self._pattern.finditer(text, start, end):
            out += [text[pos : found.start()], START, found.group(), STOP]
            pos = found.end()
        out.append(text[pos:end])
        return "".join(out)


def _score(matcher: _Matcher, row: Any) -> int:
    return (
        _WEIGHTS["title"] * matcher.count(row.title or "")
        + _WEIGHTS["tags"] * matcher.count(row.tags_text or "")
        + _WEIGHTS["body"] * matcher.count(row.body or "")
    )


def _snippet(matcher: _Matcher, body: str) -> str:
    """Return about :data:`SNIPPET_WORDS` words of ``body`` from just before its first match."""
    anchor = matcher.first(body) or 0
    # A few words of lead-in; only the text near the match is scanned, however long the body.
    lead_in = [m.start() for m in _WORD.finditer(body, max(0, anchor - 200), anchor)]
    lead = lead_in[-(SNIPPET_WORDS // 4) :]
    start = lead[0] if lead else anchor
    ends = [m.end() for m in itertools.islice(_WORD.finditer(body, start), SNIPPET_WORDS)]
    end = ends[-1] if ends else len(body)
    cut_before = _WORD.search(body, 0, start) is not None
    cut_after = _WORD.search(body, end) is not None
    # Whole-body edges keep leading and trailing punctuation (markup typed as text, say).
    start = start if cut_before else 0
    end = end if cut_after else len(body)
    marked = matcher.mark(body, start, end)
    return ("…" if cut_before else "") + marked + ("…" if cut_after else "")


def _hit(matcher: _Matcher, row: Any) -> SearchHit:
    return SearchHit(
        public_id=row.public_id,
        title=highlight(matcher.mark(row.title or "")),
        snippet=highlight(_snippet(matcher, row.body or "")),
        category=row.category,
        audience=row.audience,
        created_at=row.created_at,
        author_name=row.author_name,
    )
