"""The benchmark seeder: a tiny database, seeded fresh, that the real app serves correctly.

Seeded once per backend for the module (SQLite always; PostgreSQL when
``CARETEAM_TEST_DATABASE_URL`` names a server, in a database of its own that is dropped after).
The app is the test kit's, but with the production argon2 cost the seeder hashes at.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bench.seed import SCALES, drop_database, seed
from careteam.testing import CareClient, login, make_app

TINY = SCALES["tiny"]


def _backends() -> list[str]:
    server = os.environ.get("CARETEAM_TEST_DATABASE_URL", "")
    return ["sqlite", "postgresql"] if server.startswith("postgresql") else ["sqlite"]


@pytest.fixture(scope="module", params=_backends())
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    folder = tmp_path_factory.mktemp("bench-seed")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
    else:
        server = make_url(os.environ["CARETEAM_TEST_DATABASE_URL"])
        name = f"careteam_benchseed_{secrets.token_hex(4)}"
        url = server.set(database=name).render_as_string(hide_password=False)
    manifest = seed(url, "tiny", folder / "manifest.json", progress=False)
    # Production argon2 cost (no test shortcut), as a real server would verify with.
    app = make_app(url, folder, ARGON2_TIME_COST=None, ARGON2_MEMORY_KIB=None)
    app.test_client_class = CareClient
    yield app, manifest
    with app.app_context():
        from careteam.extensions import db

        db.engine.dispose()
    drop_database(url)


def _client(app: Any, email: str, password: str) -> CareClient:
    client: CareClient = app.test_client()  # type: ignore[assignment]
    response = login(client, email, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def test_counts_match_the_scale_and_the_manifest(seeded):
    from careteam.appointments.models import Appointment
    from careteam.extensions import db
    from careteam.notes.models import Note, NoteComment

    app, manifest = seeded
    counts = manifest["counts"]
    assert counts["circles"] == TINY.circles
    assert counts["users"] == TINY.users
    assert counts["notes"] == TINY.notes
    assert counts["comments"] == TINY.comments
    assert counts["appointments"] == TINY.appointments
    assert counts["calendar_circle_appointments"] == TINY.calendar_appointments
    assert 0 < counts["recurring"] < counts["appointments"]
    assert counts["audit_events"] > counts["notes"]
    # The seeder fills the first-party plugins that are installed, and only those.
    loaded = set(app.extensions["careteam"].plugins)
    assert set(manifest["plugins"]) >= {"devices", "hello"} & loaded
    if "devices" in loaded:
        assert counts["devices"] > 0 and counts["device_checks"] > 0
    if "hello" in loaded:
        assert counts["kind_words"] > 0
    if "therapy" in loaded:
        assert counts["therapy_programmes"] > 0 and counts["therapy_logs"] > 0
        assert set(manifest["therapy"]) == {"busy_programme", "therapist_email"}
    assert re.fullmatch(r"\d{4}-\d{2}", manifest["month"])
    with app.app_context():
        assert db.session.scalar(select(func.count(Note.id))) == counts["notes"]
        assert db.session.scalar(select(func.count(NoteComment.id))) == counts["comments"]
        total = counts["appointments"] + counts["calendar_circle_appointments"]
        assert db.session.scalar(select(func.count(Appointment.id))) == total
        db.session.remove()


def test_planted_words_and_dates(seeded):
    """The absent word is in no note at all; notes span years and none predates its circle."""
    from careteam.circles.models import Circle
    from careteam.extensions import db
    from careteam.notes.models import Note

    app, manifest = seeded
    absent = manifest["search_terms"]["absent"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Note.id)).where(Note.body.contains(absent))) == 0
        early = db.session.scalar(
            select(func.count(Note.id))
            .join(Circle, Circle.id == Note.circle_id)
            .where(Note.created_at < Circle.created_at)
        )
        assert early == 0
        oldest, newest = db.session.execute(
            select(func.min(Note.created_at), func.max(Note.created_at))
        ).one()
        assert newest - oldest > timedelta(days=2 * 365)
        db.session.remove()


def test_the_same_seed_gives_the_same_text(tmp_path):
    from careteam.extensions import db
    from careteam.notes.models import Note

    def texts(name: str, random_seed: int) -> list[tuple[str, str, str]]:
        url = f"sqlite:///{tmp_path / name}"
        seed(url, "tiny", tmp_path / f"{name}.json", progress=False, random_seed=random_seed)
        app = make_app(url, tmp_path)
        with app.app_context():
            rows = db.session.execute(
                select(Note.title, Note.body, Note.audience).order_by(Note.id)
            )
            found = [tuple(row) for row in rows][:-1]  # the busy note is written at "now"
            db.session.remove()
            db.engine.dispose()
        return found

    first = texts("a.sqlite3", 7)
    assert first == texts("b.sqlite3", 7)
    assert first != texts("c.sqlite3", 8)


def _schema(url: str) -> set[tuple[str, ...]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # ANALYZE's statistics table aside, which the seeder makes on purpose.
            rows = conn.execute(
                text("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
            )
        else:
            rows = conn.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
            )
        found = {tuple(row) for row in rows}
    engine.dispose()
    return found


def test_schema_equals_a_fresh_migration(seeded, tmp_path):
    """The search index set aside during the bulk load is back exactly as migration 0004 made it."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from bench.seed import recreate_database
    from careteam.extensions import db

    app, manifest = seeded
    url = make_url(manifest["database_url"])
    if url.get_backend_name() == "sqlite":
        fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    else:
        fresh = url.set(database=f"{url.database}_fresh").render_as_string(hide_password=False)
    recreate_database(fresh)
    try:
        fresh_app = make_app(fresh, tmp_path)
        with fresh_app.app_context():
            upgrade(revision="heads")
            db.engine.dispose()
        assert _schema(manifest["database_url"]) == _schema(fresh)
    finally:
        drop_database(fresh)
    if url.get_backend_name() == "sqlite":
        with app.app_context(), db.engine.begin() as conn:
            conn.execute(text("INSERT INTO notes_fts(notes_fts) VALUES ('integrity-check')"))
            db.engine.dispose()


def test_rows_equal_what_the_services_derive(seeded):
    """Excerpts, tags, revisions and appointment instants are the services' own results."""
    from careteam.appointments.models import Appointment, OccurrenceChange
    from careteam.appointments.service import derive_instants
    from careteam.extensions import db
    from careteam.notes.markdown import excerpt
    from careteam.notes.models import Note, NoteRevision, NoteTag, split_tags

    app, _manifest = seeded
    with app.app_context():
        tags: dict[int, set[str]] = {}
        for note_id, tag in db.session.execute(select(NoteTag.note_id, NoteTag.tag)):
            tags.setdefault(note_id, set()).add(tag)
        revisions = dict(
            db.session.execute(
                select(NoteRevision.note_id, func.count()).group_by(NoteRevision.note_id)
            ).all()
        )
        for note in db.session.scalars(select(Note)):
            assert note.excerpt == excerpt(note.body)
            assert set(split_tags(note.tags_text)) == tags.get(note.id, set())
            assert revisions[note.id] == 1
        changes: dict[int, list[OccurrenceChange]] = {}
        for change in db.session.scalars(select(OccurrenceChange)):
            changes.setdefault(change.appointment_id, []).append(change)
        for appointment in db.session.scalars(select(Appointment)):
            stored = (appointment.starts_at, appointment.ends_at, appointment.series_ends_at)
            derive_instants(appointment, changes.get(appointment.id, []))
            assert stored == (
                appointment.starts_at,
                appointment.ends_at,
                appointment.series_ends_at,
            )
        db.session.rollback()
        db.session.remove()


def test_busy_series_all_occur_in_the_manifest_month(seeded):
    from careteam.appointments.models import Appointment
    from careteam.appointments.recurrence import starts_between
    from careteam.circles.models import Circle
    from careteam.extensions import db

    app, manifest = seeded
    year, month = map(int, manifest["month"].split("-"))
    low = datetime(year, month, 1)
    high = datetime(year + month // 12, month % 12 + 1, 1)
    with app.app_context():
        circle = db.session.scalar(
            select(Circle).where(Circle.public_id == manifest["busy_circle"])
        )
        series = db.session.scalars(
            select(Appointment).where(
                Appointment.circle_id == circle.id,
                Appointment.recurring.is_(True),
                Appointment.rrule.not_like("%INTERVAL%"),
                Appointment.rrule.like("FREQ=WEEKLY%"),
                Appointment.series_ends_at.is_(None),
            )
        ).all()
        in_month = [a for a in series if starts_between(a.rrule, a.start_local, low, high)]
        assert len(in_month) >= TINY.busy_series
        db.session.remove()


def test_bench_user_signs_in_and_reads_the_busy_circle(seeded):
    from careteam.extensions import db
    from careteam.notes.models import Note, NoteComment

    app, manifest = seeded
    with app.app_context():
        comments = db.session.scalars(
            select(NoteComment.body)
            .join(Note, Note.id == NoteComment.note_id)
            .where(Note.public_id == manifest["busy_note"])
        ).all()
        db.session.remove()
    assert len(comments) == TINY.busy_note_comments
    client = _client(app, manifest["user_email"], manifest["password"])
    circle = f"/circles/{manifest['busy_circle']}"
    for page in (circle, f"{circle}/notes", f"{circle}/notes/{manifest['busy_note']}"):
        assert client.get(page).status_code == 200, page
    note_page = client.get(f"{circle}/notes/{manifest['busy_note']}").get_data(as_text=True)
    assert str(escape(comments[-1])) in note_page
    calendar = f"/circles/{manifest['calendar_circle']}/appointments"
    assert client.get(calendar).status_code == 200


def test_both_feed_urls_answer_with_events(seeded):
    app, manifest = seeded
    client = app.test_client()
    for secret in manifest["feeds"].values():
        response = client.get(f"/feeds/{secret}.ics")
        assert response.status_code == 200
        assert b"BEGIN:VEVENT" in response.data


def test_search_finds_the_rare_word_and_not_the_absent_one(seeded):
    from careteam.circles.membership import membership_of
    from careteam.circles.models import Circle
    from careteam.extensions import db
    from careteam.notes.search import search_notes

    app, manifest = seeded
    terms = manifest["search_terms"]
    with app.app_context():
        circle = db.session.scalar(
            select(Circle).where(Circle.public_id == manifest["busy_circle"])
        )
        bench = membership_of(circle.id, circle.created_by_id)
        assert 1 <= len(search_notes(circle, bench, terms["rare"])) <= 5
        assert search_notes(circle, bench, terms["absent"]) == []
        assert len(search_notes(circle, bench, terms["common"])) > 0
        db.session.remove()
    client = _client(app, manifest["user_email"], manifest["password"])
    page = client.get(f"/circles/{manifest['busy_circle']}/notes/search?q={terms['rare']}")
    assert page.status_code == 200
    assert terms["rare"] in page.get_data(as_text=True)


def test_a_supporter_sees_no_care_team_note(seeded):
    from careteam.circles.models import Circle
    from careteam.extensions import db
    from careteam.notes.models import Note

    app, manifest = seeded
    with app.app_context():
        circle_id = db.session.scalar(
            select(Circle.id).where(Circle.public_id == manifest["busy_circle"])
        )
        hidden = set(
            db.session.scalars(
                select(Note.public_id).where(
                    Note.circle_id == circle_id, Note.audience != "everyone"
                )
            )
        )
        db.session.remove()
    supporter = _client(app, manifest["role_emails"]["supporter"], manifest["password"])
    circle = f"/circles/{manifest['busy_circle']}"
    assert supporter.get(f"{circle}/notes/{manifest['busy_note']}").status_code == 404
    pages = [
        supporter.get(f"{circle}/notes").get_data(as_text=True),
        supporter.get(f"{circle}/notes/search?q={manifest['search_terms']['common']}").get_data(
            as_text=True
        ),
    ]
    shown = {match for page in pages for match in re.findall(r"/notes/([A-Za-z0-9_-]{12})", page)}
    assert shown, "the supporter should see some notes addressed to everyone"
    assert shown.isdisjoint(hidden)


def _calibration_app(url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A fresh copy of bench.calibration_app bound to ``url`` (it reads its settings at import,
    as gunicorn loads it)."""
    import importlib.util

    monkeypatch.setenv("CARETEAM_DATABASE_URL", url)
    monkeypatch.setenv("CARETEAM_SECRET_KEY", secrets.token_urlsafe(32))
    spec = importlib.util.find_spec("bench.calibration_app")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # SQLAlchemy resolves the models' annotations through sys.modules.
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module.app


def test_the_calibration_pages_list_the_busy_circles_newest_rows(seeded, monkeypatch):
    app, manifest = seeded
    with app.app_context():
        from careteam.circles.models import Circle
        from careteam.extensions import db
        from careteam.notes.models import Note

        circle_id = db.session.scalar(
            select(Circle.id).where(Circle.public_id == manifest["busy_circle"])
        )
        newest = db.session.scalars(
            select(Note.title).where(Note.circle_id == circle_id).order_by(Note.created_at.desc())
        ).all()
        url = db.engine.url.render_as_string(hide_password=False)
    calibration = _calibration_app(url, monkeypatch)
    client = calibration.test_client()
    naive_url = f"/circles/{manifest['busy_circle']}/naive"
    assert client.get(naive_url).status_code == 401  # Flask-Login refuses the signed-out
    wrong = {"email": manifest["user_email"], "password": manifest["password"] + "x"}
    assert client.post("/login", data=wrong).status_code == 401
    right = {"email": manifest["user_email"], "password": manifest["password"]}
    assert client.post("/login", data=right).status_code == 302
    pages = [client.get(naive_url), client.get(naive_url.replace("/naive", "/columns"))]
    assert [page.status_code for page in pages] == [200, 200]
    naive, columns = (page.get_data(as_text=True) for page in pages)
    assert naive == columns
    shown = re.findall(r"<h2>(.*?)</h2>", naive)
    assert shown == [str(escape(title)) for title in newest[:50]]
    assert 0 < len(shown) <= 50


def test_audit_rows_carry_their_objects_audience(seeded):
    """The seed stamps audit rows as careteam.audit.record does, so the audit page's timings
    include the rows a reader may not see."""
    from careteam.appointments.models import Appointment
    from careteam.audit import AuditEvent
    from careteam.extensions import db
    from careteam.notes.models import Note

    app, _manifest = seeded
    with app.app_context():
        for model, author, kind in (
            (Note, Note.author_id, "note"),
            (Appointment, Appointment.created_by_id, "appointment"),
        ):
            rows = db.session.execute(
                select(
                    AuditEvent.object_audience, AuditEvent.object_author_id, model.audience, author
                )
                .join(model, model.public_id == AuditEvent.object_id)
                .where(AuditEvent.object_type == kind)
            ).all()
            assert rows, kind
            assert all(r[0] == r[2] and r[1] == r[3] for r in rows), kind
        db.session.remove()
