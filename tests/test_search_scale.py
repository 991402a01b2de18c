"""Search at scale: a constant statement count, capped counts, audiences and trash respected.

No timings here (they belong to the benchmark); these tests pin down the shape that keeps the
search cheap: the same few statements whatever the circle holds, at most COUNT_CAP + 1 matches
read, and the rules that must survive the fast path.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from careteam.circles.membership import membership_of
from careteam.circles.models import Circle
from careteam.db.clock import set_clock
from careteam.extensions import db
from careteam.notes.models import Note
from careteam.notes.search import COUNT_CAP, PAGE_SIZE, search_circle
from careteam.notes.search.highlighting import stem_prefix
from careteam.notes.search.postgres import PROBE_WINDOW
from careteam.notes.testing import circle_with_every_role
from careteam.testing import is_postgres, login, page_statements

HIT_LINK = re.compile(r'<h3 class="note-title"><a href="/circles/[^/]+/notes/([^"]+)">')
START = datetime(2026, 1, 1, tzinfo=UTC)
_minutes = itertools.count()  # every inserted note is newer than the one before


@pytest.fixture
def setup(app, make_user):
    return circle_with_every_role(app, make_user)


@pytest.fixture
def other_circle(app, make_user):
    return circle_with_every_role(app, make_user, name="Another circle")


def add_notes(
    app, setup, count, body, *, prefix, author="family", start=None, **overrides
) -> list[str]:
    """Insert ``count`` notes straight into the table (fast), oldest first; return their ids.

    They are a minute apart: from ``start`` when given, else each newer than any before."""
    rows = []
    for i in range(count):
        when = start + timedelta(minutes=i) if start else START + timedelta(minutes=next(_minutes))
        row = {
            "public_id": f"{prefix}{i:05d}",
            "circle_id": setup.id,
            "author_id": setup.people[author].id,
            "title": f"Day {i}",
            "body": body,
            "excerpt": body[:100],
            "category": "update",
            "tags_text": "",
            "audience": "everyone",
            "pinned": False,
            "version": 1,
            "created_at": when,
            "updated_at": when,
        }
        row.update(overrides)
        rows.append(row)
    with app.app_context():
        db.session.execute(insert(Note), rows)
        db.session.commit()
    return [r["public_id"] for r in rows]


def search(app, setup, role, query):
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        return search_circle(circle, membership_of(setup.id, setup.people[role].id), query)


def test_search_page_costs_the_same_statements_at_any_size(app, new_client, setup, other_circle):
    client = new_client()
    login(client, setup.people["family"].email)
    add_notes(app, setup, 12, "Fatigue after the walk.", prefix="a")
    add_notes(app, setup, 5, "Quiet morning.", prefix="b")
    prelude, _ = page_statements(app, client, setup.url("/search"))
    small, html = page_statements(app, client, setup.url("/search?q=fatigue"))
    assert "12 matches, best first" in html
    assert len(small) - len(prelude) <= 3

    # Many times more notes, matching and not, here and in another circle.
    add_notes(app, setup, COUNT_CAP + 80, "More fatigue today.", prefix="cc")
    add_notes(app, setup, 150, "Quiet morning.", prefix="dd")
    add_notes(app, other_circle, 150, "Fatigue elsewhere.", prefix="ee")
    large, html = page_statements(app, client, setup.url("/search?q=fatigue"))
    assert f"{COUNT_CAP}+ matches, newest first" in html
    assert len(large) == len(small)
    absent, html = page_statements(app, client, setup.url("/search?q=qwertyuiop"))
    assert "No notes match" in html
    assert len(absent) <= len(small)


def test_common_word_shows_newest_visible_page_and_a_capped_count(
    app, new_client, setup, other_circle
):
    visible = add_notes(app, setup, COUNT_CAP + 40, "Fatigue again, walking slowly.", prefix="v")
    add_notes(app, setup, 30, "Fatigue in the team.", prefix="ct", audience="care_team")
    add_notes(app, setup, 10, "Fatigue, private.", prefix="om", audience="only_me")
    add_notes(app, setup, 10, "Fatigue, deleted.", prefix="del", deleted_at=START)
    add_notes(app, other_circle, 40, "Fatigue, other circle.", prefix="oc")

    result = search(app, setup, "supporter", "fatigue")
    assert result.capped and result.count_label == f"{COUNT_CAP}+"
    # Newest first among very many: the last inserted visible notes.
    assert [h.public_id for h in result.hits] == visible[::-1][:PAGE_SIZE]
    assert {h.audience for h in result.hits} == {"everyone"}
    assert all("<mark>Fatigue</mark>" in str(h.snippet) for h in result.hits)

    client = new_client()
    login(client, setup.people["supporter"].email)
    html = client.get(setup.url("/search?q=fatigue")).get_data(as_text=True)
    assert f"{COUNT_CAP}+ matches, newest first" in html
    assert HIT_LINK.findall(html) == visible[::-1][:PAGE_SIZE]


def test_rare_word_is_ranked_and_follows_audiences_and_trash(app, setup, other_circle):
    add_notes(app, setup, COUNT_CAP + 20, "Fatigue and nothing else.", prefix="bulk")
    (everyone,) = add_notes(app, setup, 1, "Tried zanaflex tonight.", prefix="r1")
    (team,) = add_notes(
        app, setup, 1, "Zanaflex dose.", prefix="r2", audience="care_team", title="Zanaflex"
    )
    (own,) = add_notes(app, setup, 1, "My zanaflex notes.", prefix="r3", audience="only_me")
    (theirs,) = add_notes(
        app, setup, 1, "Zanaflex, theirs.", prefix="r4", audience="only_me", author="caregiver"
    )
    add_notes(app, setup, 1, "Zanaflex in the bin.", prefix="r5", deleted_at=START)
    add_notes(app, other_circle, 3, "Zanaflex in another circle.", prefix="r6")

    family = search(app, setup, "family", "zanaflex")
    # Title match first, then newest first.
    assert [h.public_id for h in family.hits] == [team, own, everyone]
    assert family.count == 3 and not family.capped and family.count_label == "3"
    supporter = search(app, setup, "supporter", "zanaflex")
    assert [h.public_id for h in supporter.hits] == [everyone]
    caregiver = search(app, setup, "caregiver", "zanaflex")
    assert theirs in {h.public_id for h in caregiver.hits} and own not in {
        h.public_id for h in caregiver.hits
    }


def test_absent_word_and_every_word_required(app, setup):
    add_notes(app, setup, COUNT_CAP + 5, "Fatigue while walking.", prefix="w")
    assert search(app, setup, "family", "qwertyuiop").hits == []
    assert search(app, setup, "family", "fatigue qwertyuiop").count == 0
    # Stemming still applies with the circle scope: "walks" finds "walking".
    assert search(app, setup, "family", "walks fatigued").capped


def test_typed_search_syntax_cannot_leave_the_circle(app, setup, other_circle):
    add_notes(app, other_circle, 2, "Spasticity elsewhere.", prefix="x")
    add_notes(app, setup, 1, "Spasticity here.", prefix="y")
    for query in ["spasticity", 'circle_key : "circle1" OR spasticity', "spasticity OR circle"]:
        hits = search(app, setup, "family", query).hits
        assert all(h.public_id.startswith("y") for h in hits), query


def test_snippet_is_a_marked_window_around_the_first_match(app, setup):
    words = [f"word{i}" for i in range(200)]
    words[120] = "Baclofen<b>"
    add_notes(app, setup, 1, " ".join(words), prefix="s", title="Dose & <i>baclofen</i>")
    (hit,) = search(app, setup, "family", "baclofen").hits
    snippet = str(hit.snippet)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>Baclofen</mark>&lt;b&gt;" in snippet
    assert "word100" not in snippet and "word119" in snippet
    assert str(hit.title) == "Dose &amp; &lt;i&gt;<mark>baclofen</mark>&lt;/i&gt;"


def test_stem_prefix_keeps_short_words_whole():
    assert [stem_prefix(w) for w in ["walks", "walking", "Fatigue", "leg", "bus", "happy"]] == [
        "walk",
        "walk",
        "fatigu",
        "leg",
        "bus",
        "happ",
    ]


def test_many_matches_older_than_the_newest_notes_are_still_found(app, setup):
    # PostgreSQL first tests only the newest notes; matches behind them come from the index.
    older = add_notes(app, setup, COUNT_CAP + 10, "Fatigue long ago.", prefix="old")
    add_notes(app, setup, PROBE_WINDOW + 10, "Quiet morning.", prefix="new")
    result = search(app, setup, "family", "fatigue")
    assert result.capped and result.count_label == f"{COUNT_CAP}+"
    assert [h.public_id for h in result.hits] == older[::-1][:PAGE_SIZE]


# --- matches behind the newest notes come in the feed's order (PostgreSQL) ----------------

JUNE = datetime(2026, 6, 15, 12, tzinfo=UTC)


@pytest.fixture
def in_june(app):
    # The feed order (pinned, then newest) is PostgreSQL's; SQLite's FTS5 hands matches out
    # newest added first, straight from its index.
    if not is_postgres(app.config["SQLALCHEMY_DATABASE_URI"]):
        pytest.skip("PostgreSQL only: SQLite lists matches newest added first")
    set_clock(lambda: JUNE)
    yield
    set_clock(None)


def dated(app, setup, count, body, prefix, *date, **overrides) -> list[str]:
    """``count`` notes a minute apart from the UTC date ``date``."""
    start = datetime(*date, tzinfo=UTC)
    return add_notes(app, setup, count, body, prefix=prefix, start=start, **overrides)


def test_matches_behind_the_newest_notes_come_pinned_first_then_newest(app, setup, in_june):
    dated(app, setup, COUNT_CAP + 10, "Fatigue long ago.", "old", 2025, 1, 1)
    (pinned,) = dated(app, setup, 1, "Fatigue, pinned long ago.", "pin", 2024, 3, 1, pinned=True)
    may = dated(app, setup, COUNT_CAP + 5, "Fatigue this spring.", "may", 2026, 5, 20)
    # Newer matches the family member must not see: someone else's private notes, the trash.
    private = {"audience": "only_me", "author": "caregiver"}
    dated(app, setup, 5, "Fatigue, private.", "own", 2026, 6, 1, **private)
    dated(app, setup, 5, "Fatigue, binned.", "bin", 2026, 6, 2, deleted_at=JUNE)
    # The newest notes do not match, so the first tier (the newest notes) does not fill the page.
    dated(app, setup, PROBE_WINDOW + 10, "Quiet morning.", "quiet", 2026, 6, 10)

    result = search(app, setup, "family", "fatigue")
    assert result.capped and result.count_label == f"{COUNT_CAP}+"
    # Pinned first (however old), then the newest; the older matches come later.
    assert [h.public_id for h in result.hits] == [pinned, *may[::-1][: PAGE_SIZE - 1]]


def test_a_note_dated_after_this_month_keeps_its_place(app, setup, in_june):
    june = dated(app, setup, COUNT_CAP + 5, "Fatigue this month.", "june", 2026, 6, 1)
    # Written while the server's clock was ahead: newest in the feed.
    (ahead,) = dated(app, setup, 1, "Fatigue from a clock ahead.", "ahead", 2026, 7, 3)
    dated(app, setup, PROBE_WINDOW + 10, "Quiet morning.", "quiet", 2026, 6, 10)
    result = search(app, setup, "family", "fatigue")
    assert [h.public_id for h in result.hits] == [ahead, *june[::-1][: PAGE_SIZE - 1]]
