"""Migration 0011 back-fills the audience stamp of existing audit rows.

Rows about a note or an appointment that still exists (the trash included) take its audience
and author; rows about one purged since get "only me" with the author their ``.created`` row
names; rows about anything else stay unstamped.
"""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import MetaData, Table, inspect, select

from careteam import create_app
from careteam.extensions import db
from careteam.testing import make_test_config

REVISION = "0011"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _insert(conn, table_name: str, /, **values) -> int:
    table = Table(table_name, MetaData(), autoload_with=conn)
    return conn.execute(table.insert().values(**values).returning(table.c.id)).scalar_one()


def _user(conn, n: int) -> int:
    return _insert(
        conn,
        "users",
        public_id=f"user{n}",
        email=f"user{n}@example.org",
        display_name=f"User {n}",
        password_hash="x",
        time_zone="UTC",
        email_reminders=True,
        email_activity=True,
        active=True,
        is_site_admin=False,
        created_at=NOW,
    )


def _note(conn, circle_id: int, public_id: str, author_id: int, audience: str, **extra) -> None:
    _insert(
        conn,
        "notes",
        public_id=public_id,
        circle_id=circle_id,
        author_id=author_id,
        title="",
        body="Text",
        excerpt="Text",
        category="update",
        tags_text="",
        audience=audience,
        pinned=False,
        version=1,
        created_at=NOW,
        updated_at=NOW,
        **extra,
    )


def _appointment(conn, circle_id: int, public_id: str, creator_id: int, audience: str) -> None:
    start = datetime(2027, 1, 5, 10, 0)
    _insert(
        conn,
        "appointments",
        public_id=public_id,
        circle_id=circle_id,
        created_by_id=creator_id,
        title="Scan",
        kind="other",
        location="",
        video_url="",
        notes="",
        audience=audience,
        time_zone="UTC",
        all_day=False,
        start_local=start,
        end_local=start.replace(hour=11),
        rrule="",
        recurring=False,
        starts_at=start.replace(tzinfo=UTC),
        ends_at=start.replace(hour=11, tzinfo=UTC),
        sequence=0,
        created_at=NOW,
        updated_at=NOW,
    )


def _event(conn, circle_id: int, action: str, object_type: str, object_id: str, actor_id):
    return _insert(
        conn,
        "audit_events",
        occurred_at=NOW,
        actor_id=actor_id,
        circle_id=circle_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        ip_address="",
        request_id="",
        details={},
    )


def test_upgrade_stamps_existing_rows_from_their_objects(empty_database_url, tmp_path):
    app = create_app(make_test_config(empty_database_url, tmp_path))
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        before = ScriptDirectory.from_config(config).get_revision(REVISION).down_revision
        upgrade(revision=before)
        upgrade(revision="0005")  # appointments, on another line of core's history
        with db.engine.begin() as conn:
            assert "object_audience" not in {
                c["name"] for c in inspect(conn).get_columns("audit_events")
            }
            sam, ruth, gone = _user(conn, 1), _user(conn, 2), _user(conn, 3)
            circle = _insert(
                conn,
                "circles",
                public_id="circle1",
                name="Maya's circle",
                description="",
                time_zone="UTC",
                created_at=NOW,
                settings={},
            )
            _note(conn, circle, "shared", sam, "everyone")
            _note(conn, circle, "draft", ruth, "only_me")
            _note(conn, circle, "trashed", ruth, "care_team", deleted_at=NOW)
            _appointment(conn, circle, "appt", sam, "coordinators")
            rows = {
                "shared.viewed": _event(conn, circle, "note.viewed", "note", "shared", ruth),
                "draft.created": _event(conn, circle, "note.created", "note", "draft", ruth),
                "draft.viewed": _event(conn, circle, "note.viewed", "note", "draft", ruth),
                "trashed.deleted": _event(conn, circle, "note.deleted", "note", "trashed", sam),
                "appt.viewed": _event(
                    conn, circle, "appointment.viewed", "appointment", "appt", sam
                ),
                "purged.created": _event(conn, circle, "note.created", "note", "purged", ruth),
                "purged.viewed": _event(conn, circle, "note.viewed", "note", "purged", sam),
                "purged.purged": _event(conn, circle, "note.purged", "note", "purged", None),
                "orphan.viewed": _event(conn, circle, "note.viewed", "note", "orphan", sam),
                "lost.created": _event(conn, circle, "note.created", "note", "lost", gone),
                "circle.updated": _event(conn, circle, "circle.updated", "circle", "circle1", sam),
            }
            users = Table("users", MetaData(), autoload_with=conn)
            conn.execute(users.delete().where(users.c.id == gone))
        upgrade(revision=REVISION)
        with db.engine.connect() as conn:
            table = Table("audit_events", MetaData(), autoload_with=conn)
            found = conn.execute(
                select(table.c.id, table.c.object_audience, table.c.object_author_id)
            ).all()
        db.engine.dispose()
    stamps = {row.id: (row.object_audience, row.object_author_id) for row in found}
    assert {key: stamps[row] for key, row in rows.items()} == {
        "shared.viewed": ("everyone", sam),
        "draft.created": ("only_me", ruth),
        "draft.viewed": ("only_me", ruth),
        "trashed.deleted": ("care_team", ruth),
        "appt.viewed": ("coordinators", sam),
        # Purged: the narrowest audience, its author named by its creation row.
        "purged.created": ("only_me", ruth),
        "purged.viewed": ("only_me", ruth),
        "purged.purged": ("only_me", ruth),
        # No creation row, or its author's account deleted: no one sees these.
        "orphan.viewed": ("only_me", None),
        "lost.created": ("only_me", None),
        "circle.updated": (None, None),
    }
