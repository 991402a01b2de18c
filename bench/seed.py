"""Fill a fresh CareTeam database at a chosen scale for the benchmark, and describe it.

The schema comes from the app's own migrations (as ``careteam init``).  Cheap, one-off things
go through the real service functions: the busy note and its comments, the calendar feeds.
Everything else is bulk Core inserts (``executemany`` in chunks) of exactly the rows the
services would write, derived columns computed by the services' own helpers; see the
``seed_*`` modules, one per phase.

Text is deterministic for a given ``random_seed``; public ids and secrets are random, as the
app makes them.
"""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from .seed_world import Progress, Scale, World

SCALES: dict[str, Scale] = {
    "tiny": Scale(
        circles=6, users=60, notes=300, comments=80, appointments=60, busy_appointments=30,
        busy_series=10, calendar_appointments=40, busy_supporters=4,
    ),
    "small": Scale(
        circles=100, users=500, notes=10_000, comments=2_000, appointments=1_000,
        busy_appointments=100, busy_series=20, calendar_appointments=1_000,
    ),
    "large": Scale(
        circles=1_000, users=5_000, notes=100_000, comments=20_000, appointments=10_000,
        busy_appointments=1_000, busy_series=200, calendar_appointments=10_000,
    ),
    "xl": Scale(
        circles=1_000, users=5_000, notes=1_000_000, comments=20_000, appointments=10_000,
        busy_appointments=1_000, busy_series=200, calendar_appointments=10_000,
    ),
}  # fmt: skip

# Every seeded account signs in with this (public: the database is for benchmarks only).
PASSWORD = "bench-care-circle-2026"  # noqa: S105


def seed(
    database_url: str,
    scale: str,
    manifest_path: Path,
    *,
    progress: bool = True,
    random_seed: int = 2026,
) -> dict[str, Any]:
    """Create (or replace) the database at database_url, fill it, write the manifest JSON to
    manifest_path and return the same dict."""
    from careteam import create_app
    from careteam.auth.passwords import hash_password
    from careteam.db.clock import utcnow
    from careteam.extensions import db
    from careteam.plugins.enablement import plugin_host

    sizes = SCALES[scale]
    bar = Progress(progress)
    recreate_database(database_url)
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False}
    with create_app(settings).app_context():
        bar.phase("schema", 1)
        from flask_migrate import upgrade

        upgrade(revision="heads")  # what ``careteam init`` runs: core and every plugin branch
        db.engine.dispose()
        bar.end_phase()
    # An app made before the plugins' tables existed leaves them out: make the one that fills.
    app = create_app(settings)
    with app.app_context():
        # Once, at the production cost (no ARGON2_* overrides here), for every account.
        password_hash = hash_password(PASSWORD)
        with db.engine.begin() as conn:
            world = World(
                scale=sizes,
                rng=random.Random(random_seed),
                now=utcnow(),
                conn=conn,
                progress=bar,
                plugins=sorted(plugin_host().plugins),
                password_hash=password_hash,
            )
            plugin_counts = _bulk_phases(world)
            _move_sequences(world)
        services = _service_phase(world)
        db.session.commit()
        db.session.remove()
        bar.phase("analyze", 1)
        _analyze(db.engine)
        bar.end_phase()
        counts = {**_counts(world), **plugin_counts}
        db.engine.dispose()
    manifest = _manifest(world, database_url, scale, counts, services)
    manifest["random_seed"] = random_seed
    manifest["seconds"] = round(bar.finish(), 1)
    manifest_path = Path(manifest_path)
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


# --- the database itself ----------------------------------------------------------------------


def recreate_database(database_url: str) -> None:
    """Delete and recreate the database the URL names (SQLite file or PostgreSQL database)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = url.database
    if not name or name == "postgres":
        raise ValueError("name the benchmark database in the URL (not 'postgres')")
    admin = url.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(database_url: str) -> None:
    """Remove the database the URL names (tests clean up with this)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{url.database}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    admin = url.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


def _move_sequences(world: World) -> None:
    """Bulk rows carried their own ids: move PostgreSQL's sequences past them."""
    if world.conn.dialect.name != "postgresql":
        return  # SQLite takes max(rowid) + 1 by itself
    for table in sorted(world.tables_with_ids):  # names from our own metadata, not input
        sequence = f"pg_get_serial_sequence('{table}', 'id')"
        statement = f"SELECT setval({sequence}, max(id)) FROM {table}"  # noqa: S608
        world.conn.execute(text(statement))


def _analyze(engine: Any) -> None:
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        return
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
        conn.execute(text("PRAGMA optimize"))


# --- phases -------------------------------------------------------------------------------------


def _bulk_phases(world: World) -> dict[str, int]:
    from .seed_calendar import seed_appointments
    from .seed_notes import seed_comments, seed_notes
    from .seed_people import seed_circles, seed_users
    from .seed_plugins import seed_plugin_data
    from .seed_search import search_index_built_afterwards

    seed_users(world)
    seed_circles(world)
    with search_index_built_afterwards(world.conn):
        notes = seed_notes(world)
        world.progress.phase("search index", 1)
    world.progress.end_phase()
    seed_comments(world, notes)
    seed_appointments(world)
    return seed_plugin_data(world, notes)


def _service_phase(world: World) -> dict[str, Any]:
    """The busy note with its comments and the two calendar feeds, made by the services."""
    from careteam.calendar_feeds.service import issue_secret
    from careteam.circles.models import Circle, Membership
    from careteam.extensions import db
    from careteam.notes import service as notes

    from . import corpus

    world.progress.phase("services", 3)
    busy = db.session.get(Circle, world.busy.id)
    bench_id = world.busy.members[0].user_id
    bench = db.session.scalar(
        select(Membership).where(Membership.circle_id == busy.id, Membership.user_id == bench_id)
    )
    text_ = corpus.note_text(world.rng, "doctor_question", [])
    note = notes.create_note(
        busy,
        bench,
        title="Questions for the neurologist review",
        body=text_.body,
        category="doctor_question",
        tags=["neurologist", "fatigue"],
        audience="care_team",
    )
    db.session.commit()
    world.progress.advance()
    care_team = [m for m in world.busy.members if m.role != "supporter"]
    for index in range(world.scale.busy_note_comments):
        member = db.session.get(Membership, care_team[index % len(care_team)].membership_id)
        notes.add_comment(note, member, corpus.comment(world.rng))
    db.session.commit()
    world.progress.advance()
    feeds = {}
    for key, circle in (("busy", world.busy), ("calendar", world.calendar)):
        _feed, secret = issue_secret(bench_id, circle.id, "full")
        feeds[key] = secret
    db.session.commit()
    world.progress.end_phase()
    return {"busy_note": note.public_id, "feeds": feeds}


# --- the description ----------------------------------------------------------------------------


def _counts(world: World) -> dict[str, int]:
    from careteam.appointments.models import Appointment, HelpSignup, HelpSlot, OccurrenceChange
    from careteam.audit import AuditEvent
    from careteam.auth.models import User
    from careteam.circles.models import Circle, Membership
    from careteam.extensions import db
    from careteam.notes.models import Note, NoteComment, NoteRead, NoteTag

    def count(column: Any, *where: Any) -> int:
        return db.session.scalar(select(func.count(column)).where(*where)) or 0

    calendar = Appointment.circle_id == world.calendar.id
    elsewhere = Appointment.circle_id != world.calendar.id
    return {
        "circles": count(Circle.id),
        "users": count(User.id),
        "memberships": count(Membership.id),
        "notes": count(Note.id),
        "busy_circle_notes": count(Note.id, Note.circle_id == world.busy.id),
        "comments": count(NoteComment.id),
        "note_tags": count(NoteTag.id),
        "note_reads": count(NoteRead.id),
        "appointments": count(Appointment.id, elsewhere),
        "recurring": count(Appointment.id, elsewhere, Appointment.recurring.is_(True)),
        "calendar_circle_appointments": count(Appointment.id, calendar),
        "occurrence_changes": count(OccurrenceChange.id),
        "help_slots": count(HelpSlot.id),
        "help_signups": count(HelpSignup.id),
        "audit_events": count(AuditEvent.id),
    }


def _manifest(
    world: World, url: str, scale: str, counts: dict[str, int], services: dict[str, Any]
) -> dict[str, Any]:
    from . import corpus
    from .seed_calendar import month_of
    from .seed_people import BENCH_EMAIL, role_emails

    return {
        "scale": scale,
        "dialect": make_url(url).get_backend_name(),
        "database_url": url,
        "seconds": None,
        "counts": counts,
        "password": PASSWORD,
        "user_email": BENCH_EMAIL,
        "role_emails": role_emails(world),
        "busy_circle": world.busy.public_id,
        "calendar_circle": world.calendar.public_id,
        "busy_note": services["busy_note"],
        "feeds": services["feeds"],
        "search_terms": dict(corpus.SEARCH_TERMS),
        "month": _month(world, month_of),
        "plugins": world.plugins,
        "sizes": dataclasses.asdict(world.scale),
        **world.manifest_extra,
    }


def _month(world: World, month_of: Any) -> str:
    return month_of(world, world.busy)
