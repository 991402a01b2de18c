"""Full-text search: ranking, escaped snippets, audiences and the index behind it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from careteam.circles.membership import membership_of
from careteam.circles.models import Circle
from careteam.extensions import db
from careteam.notes.search import search_notes, search_terms
from careteam.notes.search.highlighting import highlight
from careteam.notes.testing import circle_with_every_role, write_note
from careteam.testing import is_postgres, login


@pytest.fixture
def setup(app, make_user):
    return circle_with_every_role(app, make_user)


def run_search(app, setup, role, query):
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        membership = membership_of(setup.id, setup.people[role].id)
        return search_notes(circle, membership, query)


def test_ranking_prefers_title_then_frequency(app, setup):
    body_once = write_note(app, setup, "family", title="Shopping", body="Bought spasticity cream.")
    body_often = write_note(
        app,
        setup,
        "family",
        title="Evening",
        body="Spasticity at night. Spasticity in the morning. Spasticity all day long.",
    )
    in_title = write_note(app, setup, "family", title="Spasticity plan", body="Stretch daily.")
    write_note(app, setup, "family", title="Unrelated", body="Nothing to see.")
    hits = run_search(app, setup, "caregiver", "spasticity")
    assert [h.public_id for h in hits] == [in_title, body_often, body_once]


def test_every_word_must_match_and_stemming_applies(app, setup):
    both = write_note(app, setup, "family", body="Her left leg was weak after walking.")
    write_note(app, setup, "family", body="Her right arm was fine.")
    assert [h.public_id for h in run_search(app, setup, "family", "leg walks")] == [both]
    assert run_search(app, setup, "family", "leg arm") == []


def test_snippets_are_escaped_and_marked(app, setup):
    write_note(
        app,
        setup,
        "family",
        title="<b>Fatigue</b> & heat",
        body="<script>alert('x')</script> The fatigue was <em>bad</em> after the heat & humidity.",
    )
    (hit,) = run_search(app, setup, "family", "fatigue")
    snippet = str(hit.snippet)
    assert "<script" not in snippet and "<em>" not in snippet
    # The typed markup comes back as text (a fragment may start mid-way through it).
    assert "&lt;/script&gt;" in snippet and "&lt;em&gt;bad&lt;/em&gt;" in snippet
    assert "heat &amp; humidity" in snippet
    assert "<mark>fatigue</mark>" in snippet
    # Only the match markers became tags.
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    assert str(hit.title) == "&lt;b&gt;<mark>Fatigue</mark>&lt;/b&gt; &amp; heat"


def test_search_page_renders_escaped_results(app, new_client, setup):
    write_note(app, setup, "family", title="Heat", body='Weakness <img src=x onerror="x"> today')
    client = new_client()
    login(client, setup.people["family"].email)
    page = client.get(setup.url("/search?q=weakness")).get_data(as_text=True)
    assert "<mark>Weakness</mark>" in page
    assert "<img" not in page and "&lt;img" in page
    empty = client.get(setup.url('/search?q="NEAR(fts5 syntax*")')).get_data(as_text=True)
    assert "No notes match" in empty  # operator characters are plain words, never errors


def test_search_skips_trashed_notes_and_follows_edits(app, new_client, setup):
    note_id = write_note(app, setup, "family", body="Physiotherapy went well")
    client = new_client()
    login(client, setup.people["family"].email)
    response = client.post_form(
        setup.url(f"/{note_id}/edit"),
        {
            "body": "Occupational therapy went well",
            "category": "update",
            "version": "1",
            "audience": "care_team",
        },
    )
    assert response.status_code == 302
    assert run_search(app, setup, "family", "physiotherapy") == []
    assert [h.public_id for h in run_search(app, setup, "family", "occupational")] == [note_id]
    page = setup.url(f"/{note_id}")
    client.post_form(page + "/delete", {}, page=page)
    assert run_search(app, setup, "family", "occupational") == []


def test_search_terms_and_highlight_helpers():
    assert search_terms('"left" OR leg* NEAR(x)') == ["left", "OR", "leg", "NEAR", "x"]
    assert (
        str(highlight("a \x02<b>\x03 c \x02open")) == "a <mark>&lt;b&gt;</mark> c <mark>open</mark>"
    )


def test_postgres_uses_the_gin_index(app, setup):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    from careteam.notes.search.postgres import PG_VECTOR_COLUMN

    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        plan = (
            conn.execute(
                text(
                    "EXPLAIN SELECT id FROM notes WHERE "
                    f"{PG_VECTOR_COLUMN} @@ plainto_tsquery('english'::regconfig, 'fatigue')"
                )
            )
            .scalars()
            .all()
        )
    assert any("ix_notes_fts" in line for line in plan), plan


def test_sqlite_fts_table_follows_notes(app, setup):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite only")
    write_note(app, setup, "family", body="Baclofen at night")
    with app.app_context():
        count = db.session.execute(
            text("SELECT count(*) FROM notes_fts WHERE notes_fts MATCH 'baclofen'")
        ).scalar()
        assert count == 1
        # The FTS5 table's own integrity check compares it with the notes table.
        db.session.execute(
            text("INSERT INTO notes_fts(notes_fts, rank) VALUES ('integrity-check', 1)")
        )


def test_postgres_plans_each_search_for_its_word_and_never_prepares_it(app, setup):
    """A prepared search could fall back to one generic plan for every word and circle."""
    if not is_postgres(app.config["SQLALCHEMY_DATABASE_URI"]):
        pytest.skip("psycopg's prepared statements")
    write_note(app, setup, "family", title="Garden", body="Weeding the garden with a kneeler.")
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        membership = membership_of(setup.id, setup.people["family"].id)
        driver = db.session.connection().connection.driver_connection
        threshold = driver.prepare_threshold
        for _ in range(8):  # psycopg prepares a statement the fifth time a connection runs it
            assert len(search_notes(circle, membership, "garden")) == 1
            db.session.execute(text("SELECT 1 WHERE 1 = :one"), {"one": 1})
        prepared = db.session.execute(text("SELECT statement FROM pg_prepared_statements")).all()
        statements = [row[0] for row in prepared]
        assert driver.prepare_threshold == threshold  # other statements are still prepared
        assert any("1 = $1" in s for s in statements), statements
        assert not any("plainto_tsquery" in s for s in statements), statements
